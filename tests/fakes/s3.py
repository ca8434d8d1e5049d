"""moto's standalone S3 server on loopback: an HTTP server that speaks S3, for storage tests."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config

from stack.embedded import free_port

BUCKET = "adreel-test"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """`moto_server` on a free loopback port, with throwaway credentials in the environment."""
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        mp.delenv("AWS_PROFILE", raising=False)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(endpoint + "/moto-api/", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("moto_server did not start") from None
                    time.sleep(0.1)
            boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name="us-east-1",
                config=Config(s3={"addressing_style": "path"}),
            ).create_bucket(Bucket=BUCKET)
            yield endpoint
        finally:
            proc.terminate()
            proc.wait(timeout=10)
