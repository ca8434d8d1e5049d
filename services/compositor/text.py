"""Overlay strings: what we accept and how they are normalised before they reach a file.

Text never enters the filtergraph: each string is written to its own file and drawn with
`drawtext=textfile=...:expansion=none`, so quotes, colons, backslashes, %, {} and %{pts} are drawn
literally. What we still refuse is what cannot be drawn sensibly:

- control characters (tabs, escapes, NUL...), unassigned/private/surrogate code points;
- more than one line break. A newline is honoured as a deliberate line break (CRLF and CR count as
  one), so "Run\nFaster" is drawn on two centred lines; a third line is refused.
"""

from __future__ import annotations

import unicodedata

from services.common.errors import InvalidArgument

MAX_LINES = 2
_REFUSED_CATEGORIES = {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean_text(value: str, field: str, max_chars: int) -> str:
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    for ch in text:
        if ch != "\n" and unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise InvalidArgument(field, f"contains the control or unassigned character U+{ord(ch):04X}")
    lines = [line.strip() for line in text.strip().split("\n")]
    if lines == [""]:
        raise InvalidArgument(field, "must not be empty")
    if len(lines) > MAX_LINES:
        raise InvalidArgument(field, f"has {len(lines)} lines; at most {MAX_LINES} (one line break)")
    if "" in lines:
        raise InvalidArgument(field, "has an empty line")
    text = "\n".join(lines)
    if len(text.replace("\n", "")) > max_chars:
        raise InvalidArgument(field, f"must be 1-{max_chars} characters, got {len(text)}")
    return text
