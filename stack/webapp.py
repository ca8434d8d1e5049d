"""The Next.js web app as a process: install and build when needed, then `next start`."""

from __future__ import annotations

import os
import shutil
import subprocess

from stack.config import REPO_ROOT

FRONTEND = REPO_ROOT / "frontend"
NEXT_BIN = FRONTEND / "node_modules" / "next" / "dist" / "bin" / "next"
# What a build depends on: newer files here mean the build in .next is stale.
SOURCES = (
    "app",
    "components",
    "lib",
    "hooks",
    "package.json",
    "package-lock.json",
    "next.config.mjs",
    "tailwind.config.ts",
)
ENV = {"NEXT_TELEMETRY_DISABLED": "1"}


def missing_prerequisites() -> list[str]:
    return ["node and npm (Node.js 18.17+)"] if not (shutil.which("node") and shutil.which("npm")) else []


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
    """`npm ci` when node_modules is missing, `next build` when the sources changed since the last one."""
    env = {**os.environ, **ENV}
    if not NEXT_BIN.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True, env=env)
    if build_is_stale():
        subprocess.run(["node", str(NEXT_BIN), "build"], cwd=FRONTEND, check=True, env=env)


def start_argv(host: str, port: int) -> tuple[str, ...]:
    return ("node", str(NEXT_BIN), "start", "-H", host, "-p", str(port))


def start_env(api_url: str) -> dict[str, str]:
    # The app reads the API base on every request, so one build serves any gateway.
    return {**ENV, "ADREEL_API_URL": api_url}
