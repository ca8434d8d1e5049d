"""The web app's API types are generated from the gateway's OpenAPI, never written or left behind by hand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"


def test_openapi_document_matches_the_gateway() -> None:
    exported = subprocess.run(
        [sys.executable, "scripts/export_openapi.py"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    committed = (FRONTEND / "openapi.json").read_text()
    assert exported.strip() == committed.strip(), "stale frontend/openapi.json: run `npm run gen:api`"


def test_typescript_types_match_the_document(tmp_path: Path) -> None:
    out = tmp_path / "api-schema.d.ts"
    subprocess.run(
        [str(FRONTEND / "node_modules/.bin/openapi-typescript"), "openapi.json", "-o", str(out)],
        cwd=FRONTEND,
        capture_output=True,
        check=True,
    )
    committed = (FRONTEND / "lib" / "api-schema.d.ts").read_text()
    assert out.read_text() == committed, "stale frontend/lib/api-schema.d.ts: run `npm run gen:api`"
