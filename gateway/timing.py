"""How long a composed ad is, as the compositor renders it: cards and clips on the 30 fps frame grid,
each cross-fade overlapping its neighbours (so the estimate shown equals the file's length)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

FPS = 30
# The finishing form's defaults (ComposeFinalVideoRequest) when no draft says otherwise.
DEFAULT_INTRO_S = DEFAULT_OUTRO_S = 1.0
DEFAULT_TRANSITION_S = 0.3


def _frames(seconds: float) -> int:
    return round(seconds * FPS)


def ad_length_s(clip_s: Sequence[float], draft: Mapping[str, Any] | None = None) -> float:
    draft = draft or {}
    intro = float(draft.get("intro_duration") or DEFAULT_INTRO_S)
    outro = float(draft.get("outro_duration") or DEFAULT_OUTRO_S)
    transition = draft.get("transition_duration")
    transition = DEFAULT_TRANSITION_S if transition is None else float(transition)
    segments = [_frames(intro), *(max(1, _frames(c)) for c in clip_s), _frames(outro)]
    total = sum(segments) - _frames(transition) * (len(segments) - 1)
    return round(total / FPS, 2)
