"""services.common.costs imported in a fresh interpreter: an agent that would need the ledger's
dependencies to import its money helpers fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_agents_import_the_money_helpers_without_the_ledger_dependencies() -> None:
    """Agent images carry neither asyncpg nor nats-py: `services.common.costs` must not need them."""
    probe = "import sys, services.common.costs; print(sorted({'asyncpg', 'nats'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
