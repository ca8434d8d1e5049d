"""Every tool CI or `make run` installs comes from a lock: uv.lock, package-lock.json, or the recorded
Debian packages; and the uv that bootstraps the venv is the one the lock holds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import lockfile  # noqa: E402


def test_uv_bootstrap_is_the_locked_uv_with_its_hashes() -> None:
    assert (ROOT / "scripts" / "uv-bootstrap.txt").read_text() == lockfile.bootstrap_text(), "run `make lock`"
    (uv,) = [p for p in lockfile.packages() if p.name == "uv"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert f"uv=={uv.version}" in pyproject["dependency-groups"]["dev"]
    assert uv.hashes(linux_only=False)


def test_make_install_syncs_from_the_lock_and_never_resolves() -> None:
    makefile = (ROOT / "Makefile").read_text()
    install = makefile.split("\ninstall:", 1)[1].split("\n\n", 1)[0]
    assert "sync --locked" in install and "--require-hashes" in install
    assert "pip install -e" not in makefile and " lock" not in install


def test_every_web_dependency_is_locked_with_integrity() -> None:
    package = json.loads((ROOT / "frontend" / "package.json").read_text())
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())
    assert lock["lockfileVersion"] >= 2
    root = lock["packages"][""]
    for kind in ("dependencies", "devDependencies"):
        assert root.get(kind, {}) == package.get(kind, {}), f"package-lock.json is stale ({kind})"
    entries = {k: v for k, v in lock["packages"].items() if k and not v.get("link")}
    assert entries and all(v.get("integrity", "").startswith("sha512-") for v in entries.values())
    # Scripts run what node_modules holds; `npx some-tool` would fetch whatever is newest.
    assert not any(re.search(r"\bnpx\b", s) for s in package["scripts"].values())


def test_ci_and_make_run_install_node_packages_only_with_npm_ci() -> None:
    for path in (".ci/run", "stack/webapp.py", "frontend/Dockerfile"):
        text = (ROOT / path).read_text()
        assert "npm ci" in text or '"ci"' in text, path
        assert not re.search(r"npm\"?,? \"?(install|i|update)\b", text), path


def test_system_packages_check_names_what_is_missing(tmp_path: Path) -> None:
    table = tmp_path / "system-packages.txt"
    table.write_text("no-such-package-adreel  1.0  something the suite needs\n")
    script = tmp_path / "system-packages"
    script.write_text((ROOT / ".ci" / "system-packages").read_text())
    out = subprocess.run(["bash", str(script), "check"], capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert (
        "no-such-package-adreel is not installed" in out.stderr and "something the suite needs" in out.stderr
    )
    ok = subprocess.run(
        ["bash", str(ROOT / ".ci" / "system-packages"), "check"], capture_output=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
