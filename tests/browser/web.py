"""The web app as a real process: `next build` when the sources changed, then `next start` on loopback."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from stack import webapp

ROOT = Path(__file__).resolve().parents[2]


def missing_prerequisites() -> list[str]:
    return webapp.missing_prerequisites()


@contextmanager
def running_web_app(port: int, api_url: str, timeout_s: float = 60.0) -> Iterator[str]:
    """`next start` on 127.0.0.1:<port> talking to the gateway at `api_url`; yields the app's URL."""
    webapp.ensure_build()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        webapp.start_argv("127.0.0.1", port),
        cwd=webapp.FRONTEND,
        env={**os.environ, **webapp.start_env(api_url)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"next start exited with {proc.returncode}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the web app did not answer on {url} within {timeout_s:.0f} s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
