"""The web app as a real process: `next build` when the sources changed, then `next start` on loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
NEXT_BIN = FRONTEND / "node_modules" / "next" / "dist" / "bin" / "next"
SOURCES = ("app", "components", "lib", "hooks", "package.json", "next.config.mjs", "tailwind.config.ts")


def missing_prerequisites() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not NEXT_BIN.exists():
        missing.append("frontend/node_modules (run `npm ci` in frontend/)")
    return missing


def build_is_stale() -> bool:
    build_id = FRONTEND / ".next" / "BUILD_ID"
    if not build_id.exists():
        return True
    built = build_id.stat().st_mtime
    for name in SOURCES:
        path = FRONTEND / name
        files = path.rglob("*") if path.is_dir() else [path]
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


def ensure_build() -> None:
    if build_is_stale():
        subprocess.run(["node", str(NEXT_BIN), "build"], cwd=FRONTEND, check=True, env=_env({}))


def _env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, "NEXT_TELEMETRY_DISABLED": "1", **extra}


@contextmanager
def running_web_app(port: int, api_url: str, timeout_s: float = 60.0) -> Iterator[str]:
    """`next start` on 127.0.0.1:<port> talking to the gateway at `api_url`; yields the app's URL."""
    ensure_build()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        ["node", str(NEXT_BIN), "start", "-H", "127.0.0.1", "-p", str(port)],
        cwd=FRONTEND,
        env=_env({"ADREEL_API_URL": api_url}),
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
