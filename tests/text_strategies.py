"""Hypothesis strategies for user text: scripts, marks, joiners, emoji sequences, bidi controls,
filtergraph syntax, characters every field refuses, and boundary lengths."""

from __future__ import annotations

from hypothesis import strategies as st

PIECES = [
    "新しい香り", "今すぐ", "عطر الورد", "اشتر", "שלום", "नमस्ते", "क्ष", "สวัสดี", "한국어", "Привет",
    "Ελλάδα", "Crème", "e\u0301", "a\u0308\u0323", "👩🏽‍🚀", "👨‍👩‍👧‍👦", "🇯🇵",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "❤️", "1️⃣", "👍🏿", "★", "™", "€", " ", "  ", "\n", "\r\n", "\t", "\u200d", "\u200c", "\u200f",
    "\u202e", "\ufe0f", "%{pts}", "'", "\\", ":", ";[]", "\ue000", "ༀ", "Ꭰ", "\u0958", "\u2028", "\x00",
    "\U000f0000", "\ufffe",
]  # fmt: skip
BOUNDARY = ["x" * 30, "x" * 31, "W" * 50, "W" * 51, "字" * 50, "🚀" * 50, "ب" * 50, "a\nb", "a\nb\nc", " x "]
TEXT = st.one_of(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=55),
    st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=55),
    st.sampled_from(BOUNDARY),
)
# Prose for prompts and scenes: the same pieces among ordinary words, from a few characters to past
# the longest limit.
WORDS = ["pink", "running", "shoes", "on", "a", "track", "at", "golden", "hour", "with", "laces"]
PROSE = st.one_of(
    st.lists(st.sampled_from(PIECES + WORDS * 3), min_size=1, max_size=40).map(" ".join),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=320),
    st.sampled_from(["ab", "abc", "x" * 200, "x" * 201, "y" * 300, "y" * 301, "shoes\nred", "\t tab"]),
)
