"""Prefixed, colour-coded log lines: `[image_gen] ...`, one colour per process, `[stack]` for ours."""

from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

# Fields of the services' JSON logs that the prefix and the layout already show.
_SHOWN = frozenset({"ts", "level", "logger", "service", "message", "agent", "color_message"})

_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_red", "bright_cyan", "bright_magenta")


class Logs:
    def __init__(self, console: Console | None = None) -> None:
        # soft_wrap: never break a child's line; rich drops the colours when stdout is not a terminal.
        self.console = console or Console(soft_wrap=True, highlight=False)
        self._styles: dict[str, str] = {}

    def _style(self, name: str) -> str:
        return self._styles.setdefault(name, _COLOURS[len(self._styles) % len(_COLOURS)])

    def line(self, name: str, text: str) -> None:
        self.console.print(Text.assemble((f"[{name}] ", self._style(name)), readable(text)), markup=False)
        self.console.file.flush()

    def stack(self, text: str, style: str = "bold") -> None:
        self.console.print(Text.assemble(("[stack] ", "bold white"), (text, style)), markup=False)
        self.console.file.flush()


def readable(line: str) -> str:
    """A JSON log record as `LEVEL message key=value ...`; any other line as it is."""
    if not line.startswith("{"):
        return line
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict) or "message" not in record:
        return line
    extras = " ".join(f"{k}={v}" for k, v in record.items() if k not in _SHOWN)
    return f"{record.get('level', '')} {record['message']} {extras}".strip()
