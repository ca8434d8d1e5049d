"""When everything happens: segment lengths on the 30 fps frame grid, cross-fade offsets, the total
duration, and the windows in which each text is shown."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

FPS = 30


def frames(seconds: float) -> int:
    return round(seconds * FPS)


@dataclass(frozen=True)
class Window:
    start: float
    end: float
    fade_in: float
    fade_out: float


@dataclass(frozen=True)
class Timeline:
    """Intro card, clips, outro card, joined by cross-fades of `transition_s` (0 = hard cuts).

    Every length is rounded to whole frames so offsets, the total and the rendered file agree.
    """

    intro_s: float
    clip_s: tuple[float, ...]
    outro_s: float
    transition_s: float

    @cached_property
    def segment_frames(self) -> tuple[int, ...]:
        return (frames(self.intro_s), *(max(1, frames(c)) for c in self.clip_s), frames(self.outro_s))

    @cached_property
    def transition_frames(self) -> int:
        return frames(self.transition_s)

    @property
    def transition(self) -> float:
        return self.transition_frames / FPS

    @cached_property
    def starts(self) -> tuple[float, ...]:
        """Start of each segment on the output clock (each overlaps its predecessor by one transition)."""
        out, at = [], 0
        for n in self.segment_frames:
            out.append(at / FPS)
            at += n - self.transition_frames
        return tuple(out)

    @property
    def cut_times(self) -> tuple[float, ...]:
        """Where each segment gives way to the next, in seconds: the middle of their cross-fade
        (with hard cuts, the next segment's first frame)."""
        return tuple(s + self.transition / 2 for s in self.starts[1:])

    @property
    def total_frames(self) -> int:
        return sum(self.segment_frames) - self.transition_frames * (len(self.segment_frames) - 1)

    @property
    def duration_s(self) -> float:
        return self.total_frames / FPS

    def intro_text(self) -> Window:
        end = self.starts[1] + self.transition / 2
        return Window(0.0, end, min(0.4, end / 4), min(0.4, end / 4))

    def clip_text(self) -> Window:
        """Over the clips: in once the intro has faded out, out before the outro fades in."""
        start, end = self.starts[1] + self.transition, self.starts[-1]
        margin = min(0.3, (end - start) / 6)
        start, end = start + margin, end - margin
        fade = min(0.5, (end - start) / 4)
        return Window(start, end, fade, fade)

    def outro_text(self) -> Window:
        # The ad ends on the CTA, fully visible: fade in only.
        start = self.starts[-1] + self.transition / 2
        return Window(start, self.duration_s + 1.0, min(0.4, (self.duration_s - start) / 3), 0.0)
