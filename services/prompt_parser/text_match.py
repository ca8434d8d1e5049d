"""Finding vocabulary words in free text: case-, punctuation- and plural-tolerant, longest first."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


def fold(text: str) -> str:
    """Lowercase with punctuation as spaces, the same length as `text` so positions map back."""
    out = []
    for c in text:
        low = c.lower()
        out.append((low if len(low) == 1 else c) if c.isalnum() else " ")
    return "".join(out)


def normalise(text: str) -> str:
    """The text reduced to its words: what two spellings of the same product have in common."""
    return " ".join(fold(unicodedata.normalize("NFKC", text)).split())


def words(text: str) -> list[str]:
    return fold(text).split()


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: str  # the canonical vocabulary entry


class Vocabulary:
    """A set of terms (single or multiword) plus aliases, matched as whole words with plurals."""

    def __init__(self, terms: Iterable[str], aliases: Mapping[str, str] | None = None) -> None:
        self.canonical = {t: t for t in terms} | dict(aliases or {})
        # Longest first: at one position "rose gold" wins over "rose" and "navy blue" over "navy".
        alternatives = sorted(self.canonical, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, a.split())) for a in alternatives)
        self._pattern = re.compile(rf"(?<![^\W_])({body})(?:e?s)?(?![^\W_])")

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches in `text`, in order of appearance."""
        folded = fold(text)
        return [
            Match(m.start(), m.end(), self.canonical[" ".join(m.group(1).split())])
            for m in self._pattern.finditer(folded)
        ]

    def terms_in(self, text: str) -> list[str]:
        """Canonical terms found, in order of first appearance, without repeats."""
        return list(dict.fromkeys(m.term for m in self.find(text)))
