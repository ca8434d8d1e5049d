"""The contract: protos lint clean on buf's STANDARD rules and the committed stubs are not stale."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_buf_lint_standard_rules() -> None:
    buf = shutil.which("buf", path=str(Path(sys.executable).parent)) or shutil.which("buf")
    assert buf, "buf (the buf-bin wheel) is not installed"
    result = subprocess.run([buf, "lint", "protos"], check=False, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_stubs_match_protos(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "scripts/gen_protos.py", str(tmp_path)], cwd=ROOT, check=True)
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(ROOT)
        for p in (ROOT / "adreel").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    assert fresh == committed, "file set differs: run `make protos`"
    stale = [str(p) for p in fresh if not filecmp.cmp(tmp_path / p, ROOT / p, shallow=False)]
    assert not stale, f"stale generated code, run `make protos`: {stale}"
