"""Cuts on the beat: the timeline's cuts moved onto the music's beats, on the 30 fps frame grid.

A *cut* is where one segment gives way to the next: the middle of the cross-fade between them
(with hard cuts, the first frame of the next segment). Each cut moves to a beat by changing the
lengths of the two segments beside it:

- a cut goes to the nearest beat (at most half a beat away), unless that would hold a clip on its
  last frame for long: then the beat on the other side (less than a beat away) may win, trimming
  the clip instead. A dynamic programme over all cuts weighs the moves, the holds and the limits;
- every segment keeps at least MIN_CARD_S (cards) or MIN_CLIP_S (clips), always more than the
  cross-fades need, and changes by at most one beat;
- the ad keeps its length to the frame: the outro card takes up the last cut's move, so the music,
  the voiceover and every check made on the requested timeline stay valid;
- a cut that cannot reach a beat within those limits stays where it was.

The cut lands within half a frame of its beat (the start of a segment is on the frame grid; with
an odd number of cross-fade frames the middle is half a frame off it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.compositor.timeline import FPS, Timeline

MIN_CARD_S = 0.4
MIN_CLIP_S = 0.5
# Costs, in beats squared: moving a cut by x beats costs x^2; holding a clip's last frame for
# y beats costs HOLD_WEIGHT * y^2; leaving a cut off the beat costs OFF_BEAT.
HOLD_WEIGHT = 4.0
OFF_BEAT = 4.0


@dataclass(frozen=True)
class _Choice:
    start: int  # the frame at which the segment after this cut starts
    cost: float  # its own cost (the move, or staying off the beat)


def _choices(start: int, half_t: float, beats: np.ndarray, beat: float) -> list[_Choice]:
    """Where the segment starting at `start` may start instead: the beats either side of its cut
    (each as the grid start whose cut comes nearest the beat), or where it is."""
    cut = start + half_t
    i = int(np.searchsorted(beats, cut))
    out = {start: _Choice(start, OFF_BEAT)}
    for b in beats[max(0, i - 1) : i + 1]:
        if abs(b - cut) >= beat:
            continue
        s = round(b - half_t)
        moved = (s + half_t - cut) / beat
        if s not in out or out[s].cost > moved**2:
            out[s] = _Choice(s, moved**2)
    return list(out.values())


def snap_to_beats(tl: Timeline, beats_s: Sequence[float] | np.ndarray) -> Timeline:
    """The timeline with its cuts on `beats_s` (seconds on the ad's clock, ascending).

    The clips' own lengths are the timeline's clip segments: a clip made longer than that holds
    its last frame, which the choice avoids where it can.
    """
    seg = tl.segment_frames
    m = len(seg) - 1  # cuts
    beats = np.asarray(beats_s, dtype=np.float64) * FPS
    if m < 1 or len(beats) < 2:
        return tl
    beat = float(np.median(np.diff(beats)))
    t = tl.transition_frames
    half_t = t / 2
    total = tl.total_frames
    starts = [round(s * FPS) for s in tl.starts]
    floor = [max(t + 1, round(MIN_CARD_S * FPS))]
    floor += [min(n, max(2 * t + 1, round(MIN_CLIP_S * FPS))) for n in seg[1:-1]]
    floor += [max(t + 1, round(MIN_CARD_S * FPS))]
    room = int(beat) + 1  # the most a segment may grow or shrink, in frames

    def length_cost(k: int, n: int) -> float | None:
        """What segment k at `n` frames costs (None: not allowed)."""
        if n < floor[k] or abs(n - seg[k]) > room:
            return None
        if 0 < k < m:  # a clip: longer than itself holds its last frame
            hold = max(0, n - seg[k]) / beat
            return HOLD_WEIGHT * hold * hold
        return 0.0

    options = [_choices(starts[k], half_t, beats, beat) for k in range(1, m + 1)]
    # best[j] = (cost, path) of the cheapest way to place cuts 1..k with cut k at options[k-1][j].
    best: list[tuple[float, list[int]] | None] = []
    for c in options[0]:
        lc = length_cost(0, c.start + t)
        best.append(None if lc is None else (c.cost + lc, [c.start]))
    for k in range(2, m + 1):
        nxt: list[tuple[float, list[int]] | None] = []
        for c in options[k - 1]:
            pick = None
            for prev in best:
                if prev is None:
                    continue
                lc = length_cost(k - 1, c.start - prev[1][-1] + t)
                if lc is not None and (pick is None or prev[0] + lc < pick[0]):
                    pick = (prev[0] + lc, prev[1])
            nxt.append(None if pick is None else (pick[0] + c.cost, [*pick[1], c.start]))
        best = nxt
    finals = [
        (b[0] + lc, b[1])
        for b in best
        if b is not None and (lc := length_cost(m, total - b[1][-1])) is not None
    ]
    if not finals:
        return tl
    _, chosen = min(finals, key=lambda f: f[0])
    bounds = [0, *chosen]
    frames = [bounds[k + 1] - bounds[k] + t for k in range(m)] + [total - bounds[-1]]
    return Timeline(
        intro_s=frames[0] / FPS,
        clip_s=tuple(n / FPS for n in frames[1:-1]),
        outro_s=frames[-1] / FPS,
        transition_s=tl.transition_s,
    )
