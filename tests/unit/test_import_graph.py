"""No import cycle in our code, read from the source tree: every import counts, at module level,
inside a function or under `if TYPE_CHECKING:`. A shared type goes in the module both sides import
(or is a Protocol where it is used), so each module can be read without the one that uses it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("adreel", "adreel_mcp", "bench", "client", "gateway", "services", "stack")


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of our packages (a package is its __init__)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """Our modules `name` imports: `import a.b` names a.b; `from a import b` names a, and a.b when
    that is a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return (out & known) - {name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = stack[stack.index(v) :]
            del stack[stack.index(v) :]
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycles_finds_a_loop_through_a_package() -> None:
    graph = {"a": {"a.scene"}, "a.scene": {"a", "b"}, "b": set(), "c": {"d"}, "d": {"e"}, "e": {"c"}}
    assert cycles(graph) == [["a", "a.scene"], ["c", "d", "e"]]


def test_no_import_cycle() -> None:
    found = modules()
    graph = {name: imported(name, path, set(found)) for name, path in found.items()}
    assert len(graph) > 200 and graph["gateway.stage_runner"] >= {"gateway.stage_jobs"}
    assert cycles(graph) == []
