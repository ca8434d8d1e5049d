"""Where `adreel login --key` keeps the API key: ~/.config/adreel/credentials.json (0600), or
ADREEL_API_KEY / ADREEL_URL from the environment, which win over the file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8000"


def credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "adreel" / "credentials.json"


@dataclass(frozen=True)
class Credentials:
    url: str
    api_key: str | None


def load() -> Credentials:
    saved: dict[str, str] = {}
    path = credentials_path()
    if path.is_file():
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError):
            saved = {}
    url = os.environ.get("ADREEL_URL") or saved.get("url") or DEFAULT_URL
    return Credentials(url=url.rstrip("/"), api_key=os.environ.get("ADREEL_API_KEY") or saved.get("api_key"))


def save(url: str, api_key: str) -> Path:
    """Written to a new file readable by its owner only, then moved into place."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"url": url.rstrip("/"), "api_key": api_key}, f)
    partial.replace(path)
    return path
