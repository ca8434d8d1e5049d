"""What each request text field may hold, declared once.

The gateway's request models (before it answers 202) and the agent that receives the field call the
same `TextRule.clean`, so the two cannot disagree: nothing the gateway accepts is refused later for
its text. `clean` returns the canonical form (NFC, one kind of line break, lines trimmed), which is
what the gateway stores and sends, and cleaning it again changes nothing.

Refused everywhere, naming the character: control characters (tab, escape, NUL...; a line break only
where the field allows lines), lone surrogates, private-use characters, noncharacters, and the
Unicode line/paragraph separators. Characters are counted as code points after normalisation.
Whether the compositor has a glyph for every character of a drawn text is its own check (its fonts),
which the gateway asks for before it answers 202.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from services.common.errors import InvalidArgument

# Names for the control characters people actually type or paste (unicodedata has none for Cc).
_CONTROL_NAMES = {"\t": "tab", "\x1b": "escape", "\x00": "NUL", "\x7f": "delete", "\x0b": "vertical tab"}
# Letters, numbers, punctuation and symbols: something a person can read.
_VISIBLE = ("L", "N", "P", "S")


class TextRefused(ValueError):
    """The text breaks its field's rule; the message says how (without the field's name)."""


def check_text(rule: TextRule, value: str, field: str) -> str:
    """`rule.clean` for an agent: InvalidArgument naming the field."""
    try:
        return rule.clean(value)
    except TextRefused as exc:
        raise InvalidArgument(field, str(exc)) from None


def describe(ch: str) -> str:
    """'U+0009 (tab)', 'U+4E2D (CJK UNIFIED IDEOGRAPH-4E2D)': how refusals name a character."""
    name = _CONTROL_NAMES.get(ch) or unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def _refusal(ch: str, line_breaks: bool) -> str | None:
    cat = unicodedata.category(ch)
    if ch == "\n":
        return None if line_breaks else "must be one line (no line breaks)"
    if cat == "Cc":
        return f"contains the control character {describe(ch)}"
    if cat == "Cs":
        return f"contains a lone surrogate U+{ord(ch):04X}, which is not valid Unicode"
    if cat == "Co":
        return f"contains the private-use character U+{ord(ch):04X}, which has no agreed meaning or glyph"
    if cat in ("Zl", "Zp"):
        return f"contains {describe(ch)}; use a plain line break"
    code = ord(ch)
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        return f"contains the noncharacter U+{code:04X}"
    return None


@dataclass(frozen=True)
class TextRule:
    min_chars: int
    max_chars: int
    # 1: a single line; 2: at most one line break (drawn texts); None: any number (prose).
    max_lines: int | None = 1

    def clean(self, value: str) -> str:
        """The canonical text, or TextRefused saying what is wrong."""
        for ch in value:  # before normalising: NFC cannot take a lone surrogate
            if unicodedata.category(ch) == "Cs":
                raise TextRefused(_refusal(ch, False))
        text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
        for ch in text:
            if problem := _refusal(ch, self.max_lines != 1):
                raise TextRefused(problem)
        lines = [line.strip() for line in text.strip().split("\n")]
        if self.max_lines is not None and "" in lines and len(lines) > 1:
            raise TextRefused("has an empty line")
        if self.max_lines is not None and len(lines) > self.max_lines:
            raise TextRefused(f"has {len(lines)} lines; at most {self.max_lines}")
        text = "\n".join(lines)
        if not any(unicodedata.category(ch).startswith(_VISIBLE) for ch in text):
            raise TextRefused("must not be blank" if not text else "has no visible character")
        if not self.min_chars <= len(text) <= self.max_chars:
            raise TextRefused(f"must be {self.min_chars}-{self.max_chars} characters, got {len(text)}")
        return text

    def json_schema(self) -> dict[str, int]:
        """The bounds for an OpenAPI document (the rule itself is `clean`)."""
        return {"minLength": self.min_chars, "maxLength": self.max_chars}


# ------------------------------------------------------------------ the fields

# The product as typed (gateway product_prompt -> prompt parser product_text).
PRODUCT_TEXT = TextRule(3, 200, max_lines=None)
# Each style keyword (gateway style_keywords[i] -> prompt parser style_keywords[i]).
STYLE_KEYWORD = TextRule(1, 30)
MAX_STYLE_KEYWORDS = 10
# The scene (gateway video_prompt -> prompt parser scene_text).
SCENE_TEXT = TextRule(10, 300, max_lines=None)
# An image's prompt (the parser writes it; a person may edit it before regenerating the image).
IMAGE_PROMPT = TextRule(3, 2000, max_lines=None)
# A shot's scene prompt (the parser plans it from product and scene text; a person may edit it).
SHOT_PROMPT = TextRule(3, 1000, max_lines=None)
# The drawn texts (gateway text_overlay -> compositor overlay): at most one line break each.
PRODUCT_NAME = TextRule(1, 50, max_lines=2)
CTA = TextRule(1, 30, max_lines=2)
# The voiceover's script (gateway -> compositor voiceover.script): prose, about 2.5 words a second.
VOICEOVER_SCRIPT = TextRule(1, 600, max_lines=None)
