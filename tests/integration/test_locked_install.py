"""`make install` gives exactly what uv.lock records, on a fresh venv and after an upstream release.

The upstream release is simulated: a version other than the locked one (and a stray package) is put
into the scratch venv, as a newer `packaging` once was by the index; `make install` must put the
locked set back, so the next test run sees what CI last saw green.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".venv" / "bin" / "uv"
pytestmark = pytest.mark.skipif(not UV.exists(), reason="run `make install` first")


def locked_for_this_machine() -> dict[str, str]:
    """What the lock gives this platform and Python: name -> version (uv evaluates nothing here)."""
    out = subprocess.run(
        [str(UV), "export", "--frozen", "--no-hashes", "--no-header", "--no-emit-project"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pins: dict[str, str] = {}
    for line in out.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            (spec,) = req.specifier
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def frozen(venv: Path) -> dict[str, str]:
    """`pip freeze` of everything but pip itself (the venv's seed, which bootstraps uv)."""
    out = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "freeze",
            "--all",
            "--exclude-editable",
            "--exclude",
            "pip",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pairs = (line.split("==") for line in out.splitlines() if "==" in line)
    return {canonicalize_name(name): version for name, version in pairs}


def make_install(venv: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
    subprocess.run(
        ["make", "--no-print-directory", "install", f"VENV={venv}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )


@pytest.mark.slow
def test_fresh_install_is_the_lock_and_a_drifted_venv_is_put_back(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    locked = locked_for_this_machine()
    assert locked["packaging"] and locked["grpcio"] == "1.85.3"

    make_install(venv)
    assert frozen(venv) == locked

    # An upstream release lands in the venv (any version but the locked one), with a stray package.
    other = "24.2" if locked["packaging"] != "24.2" else "24.1"
    subprocess.run(
        [
            str(UV),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            f"packaging=={other}",
            "tomli==2.2.1",
        ],
        check=True,
        capture_output=True,
    )
    drifted = frozen(venv)
    assert drifted["packaging"] == other and "tomli" in drifted

    make_install(venv)
    assert frozen(venv) == locked
