"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.storage import LocalStore
from tests import agents  # noqa: F401 - sets the run's agent key pair before any gateway or agent starts


@pytest.fixture
def storage_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh object store folder, also exported so agent settings pick it up."""
    d = tmp_path / "storage"
    d.mkdir()
    monkeypatch.setenv("ADREEL_STORAGE_DIR", str(d))
    return d


@pytest.fixture
def store(storage_dir: Path) -> LocalStore:
    return LocalStore(storage_dir)
