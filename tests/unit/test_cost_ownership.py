"""Costs have one home (services/common/costs) and generation_costs one writer (its `book`), read
from the source tree: a second writer or a cost module outside the package fails here (that agents
import the money helpers without the ledger's dependencies: tests/integration/test_common_costs.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = ("gateway", "services", "stack", "bench", "client")
WRITER = ROOT / "services" / "common" / "costs" / "book.py"
AGENTS = ("prompt_parser", "image_gen", "video_gen", "compositor", "ledger")

# Raw SQL that changes rows, and SQLAlchemy statements or ORM objects of the mapped class.
_WRITES = re.compile(
    r"(?i)\b(insert\s+into|update|delete\s+from|truncate(\s+table)?|copy)\s+generation_costs\b"
    r"|\b(insert|update|delete)\(\s*GenerationCost\b|(?<!class )\bGenerationCost\("
)


def sources() -> list[Path]:
    found = [p for d in CODE for p in (ROOT / d).rglob("*.py")]
    # Alembic scripts are the schema's history (they create the table), not writers of its rows.
    return [p for p in found if "migrations" not in p.parts and ".venv" not in p.parts]


def test_generation_costs_has_exactly_one_writer() -> None:
    writers = sorted(str(p.relative_to(ROOT)) for p in sources() if _WRITES.search(p.read_text()))
    assert writers == [str(WRITER.relative_to(ROOT))]


def test_the_pattern_finds_writers() -> None:
    for line in (
        "INSERT INTO generation_costs (event_id) VALUES ($1)",
        "await db.execute(insert(GenerationCost).values(cost_micros=1))",
        "db.add(GenerationCost(session_id=sid))",
        "delete from generation_costs where id = 1",
    ):
        assert _WRITES.search(line), line
    assert not _WRITES.search("select(func.sum(GenerationCost.cost_micros))")
    assert not _WRITES.search("class GenerationCost(Base):")
    assert not _WRITES.search("SELECT count(*) FROM generation_costs WHERE session_id = $1")


def test_no_cost_module_outside_the_package() -> None:
    common = ROOT / "services" / "common"
    assert not [p.name for p in common.glob("*.py") if re.search(r"cost|pric", p.stem)]
    assert {p.stem for p in (common / "costs").glob("*.py")} >= {"money", "pricing", "contract", "book"}


def test_no_agent_imports_another() -> None:
    for agent in AGENTS:
        others = tuple(f"services.{a}" for a in AGENTS if a != agent)
        for path in (ROOT / "services" / agent).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                bad = [n for n in names if n.startswith(others)]
                assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
