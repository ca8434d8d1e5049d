"""Word-timed captions: pages of a few words, each drawn once into an RGBA band with the
compositor's shaped-text renderer, played as ONE image stream (FFmpeg's concat demuxer with a
duration per image) that a single `overlay` lays on; plus the same cues as WebVTT and SRT.

Styles: "phrase" shows each page while it is spoken; "highlight" also marks the word being spoken
(one image per word). The band sits in the title-safe area, low in the frame, under the CTA.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from services.compositor.fonts import FontSpec
from services.compositor.layout import Format, safe_box
from services.compositor.shaping import Line, shape_line
from services.compositor.text_image import Block, Style, render
from services.compositor.voice import Word

PHRASE, HIGHLIGHT = "phrase", "highlight"
# Caption size (px of a 1080 short side) and the band's vertical centre, per format tag.
GEOMETRY = {"16x9": (54, 0.82), "9x16": (64, 0.84), "1x1": (50, 0.84)}
MAX_WORDS = 4
# A page stays up this long after its last word when the next one is not due yet.
HOLD_S = 0.4
TEXT = (255, 255, 255)
SHADE = (0, 0, 0)
ACCENT = (255, 214, 0)


@dataclass(frozen=True)
class Page:
    words: tuple[Word, ...]
    start: float
    end: float

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def pages(words: tuple[Word, ...]) -> tuple[Page, ...]:
    """Up to MAX_WORDS words a page, a new page after a sentence or clause ends."""
    groups: list[list[Word]] = [[]]
    for w in words:
        if len(groups[-1]) == MAX_WORDS:
            groups.append([])
        groups[-1].append(w)
        if w.text[-1] in ".,!?;:" and len(groups[-1]) > 1:
            groups.append([])
    groups = [g for g in groups if g]
    out = []
    for k, g in enumerate(groups):
        nxt = groups[k + 1][0].start if k + 1 < len(groups) else g[-1].end + HOLD_S
        out.append(Page(tuple(g), g[0].start, min(nxt, g[-1].end + HOLD_S)))
    return tuple(out)


def _stamp(t: float, sep: str) -> str:
    ms = max(0, round(t * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def webvtt(cues: tuple[Page, ...]) -> str:
    # Each cue's words carry their own timestamps (WebVTT karaoke tags) for players that use them.
    parts = ["WEBVTT", ""]
    for p in cues:
        parts += [f"{_stamp(p.start, '.')} --> {_stamp(p.end, '.')}", _vtt_body(p), ""]
    return "\n".join(parts)


def _vtt_body(page: Page) -> str:
    # The user's words escaped, our timestamp tags not.
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    out = []
    for i, w in enumerate(page.words):
        out.append(esc(w.text) if i == 0 else f"<{_stamp(w.start, '.')}>{esc(w.text)}")
    return " ".join(out)


def srt(cues: tuple[Page, ...]) -> str:
    parts = []
    for n, p in enumerate(cues, 1):
        parts += [str(n), f"{_stamp(p.start, ',')} --> {_stamp(p.end, ',')}", p.text, ""]
    return "\n".join(parts)


@dataclass(frozen=True)
class Band:
    """Where the caption images go in one format: (x, y) and their common size."""

    x: int
    y: int
    width: int
    height: int
    px: int


def band(fmt: Format, font: FontSpec) -> Band:
    size, y_center = GEOMETRY[fmt.tag]
    px = max(8, round(size * min(fmt.width, fmt.height) / 1080))
    left, top, right, bottom = safe_box(fmt)
    ref = shape_line("Hg", font, px)
    line_h = ref.ascent + ref.descent
    height = round(2 * line_h + px * 0.15 + 2 * px * 0.3) // 2 * 2 + 2
    width = (right - left) // 2 * 2
    y = round(fmt.height * y_center - height / 2)
    y = max(top, min(y, bottom - height)) // 2 * 2
    return Band(left + (left % 2), y, width, height, px)


def _layout(lines_of: list[list[Line]], space: float) -> list[float]:
    return [sum(w.width for w in line) + space * (len(line) - 1) for line in lines_of]


def draw_page(
    page: Page, active: int | None, font: FontSpec, b: Band, accent: tuple[int, int, int]
) -> Image.Image:
    """The page's words on up to two lines, centred in the band on a translucent box; the active
    word (when given) in the accent colour on a box of its own."""
    shaped = [shape_line(w.text, font, b.px) for w in page.words]
    rtl = bool(shaped) and shaped[0].rtl
    space = b.px * 0.3
    pad_x, pad_y = round(b.px * 0.45), round(b.px * 0.25)
    room = b.width - 2 * pad_x
    order = list(range(len(shaped)))
    lines: list[list[int]] = [[]]
    for i in order:
        trial = [*lines[-1], i]
        if lines[-1] and _layout([[shaped[j] for j in trial]], space)[0] > room and len(lines) < 2:
            lines.append([i])
        else:
            lines[-1] = trial
    ascent = max(s.ascent for s in shaped)
    descent = max(s.descent for s in shaped)
    line_h = ascent + descent
    gap = b.px * 0.15
    widths = _layout([[shaped[j] for j in line] for line in lines], space)
    text_h = len(lines) * line_h + (len(lines) - 1) * gap
    out = Image.new("RGBA", (b.width, b.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(out)
    top = (b.height - text_h) / 2
    box_w = max(widths) + 2 * pad_x
    x0 = (b.width - box_w) / 2
    draw.rounded_rectangle(
        (x0, max(0, top - pad_y), x0 + box_w, min(b.height - 1, top + text_h + pad_y)),
        radius=round(b.px * 0.2), fill=(*SHADE, 150),
    )  # fmt: skip
    y = top
    for line, width in zip(lines, widths, strict=True):
        x = (b.width - width) / 2
        for j in reversed(line) if rtl else line:
            word = shaped[j]
            block = Block((word,), b.px)
            color = TEXT
            if j == active:
                color = accent
                hx = round(b.px * 0.12)
                draw.rounded_rectangle(
                    (x - hx, y - b.px * 0.05, x + word.width + hx, y + line_h + b.px * 0.05),
                    radius=round(b.px * 0.15), fill=(*SHADE, 235),
                )  # fmt: skip
            image = render(block, Style(color, SHADE), False)
            ph, pv = block.padding(False)
            out.alpha_composite(image, (max(0, round(x - ph)), max(0, round(y + ascent - block.ascent - pv))))
            x += word.width + space
        y += line_h + gap
    return out


@dataclass(frozen=True)
class Track:
    """The caption stream of one format: an ffconcat list of images, and where it goes."""

    concat: Path
    band: Band


@dataclass(frozen=True)
class Drawn:
    """One format's caption images, drawn from the script's words alone: a page's words depend on
    the text, not on when it is spoken, so they are drawn while the voice is still speaking."""

    band: Band
    style: str
    blank: Path
    words: tuple[str, ...]
    images: tuple[tuple[Path, ...], ...]  # per page, its image per state (one, or one per word)


def draw_track(
    work: Path,
    words: tuple[str, ...],
    *,
    style: str,
    font: FontSpec,
    fmt: Format,
    accent: tuple[int, int, int] = ACCENT,
) -> Drawn:
    """Every image of the captions of one format."""
    b, tag = band(fmt, font), fmt.tag
    blank = work / f"cap-{tag}-blank.png"
    Image.new("RGBA", (b.width, b.height), (0, 0, 0, 0)).save(blank, compress_level=1)
    images: list[tuple[Path, ...]] = []
    for p, page in enumerate(pages(tuple(Word(w, 0.0, 0.0) for w in words))):
        states = [None] if style == PHRASE else list(range(len(page.words)))
        paths = tuple(work / f"cap-{tag}-{p}-{s}.png" for s in range(len(states)))
        for path, active in zip(paths, states, strict=True):
            draw_page(page, active, font, b, accent).save(path, compress_level=1)
        images.append(paths)
    return Drawn(b, style, blank, words, tuple(images))


def timed_track(drawn: Drawn, cues: tuple[Page, ...], total_s: float) -> Track:
    """The concat list that shows each drawn image while its words are spoken."""
    if tuple(w.text for page in cues for w in page.words) != drawn.words:
        raise ValueError("the captions were drawn for other words than were spoken")
    # (start, image): the stream shows each image from its start until the next one's.
    steps: list[tuple[float, Path]] = [(0.0, drawn.blank)]
    for page, images in zip(cues, drawn.images, strict=True):
        starts = [page.start] if drawn.style == PHRASE else [
            page.start if i == 0 else w.start for i, w in enumerate(page.words)
        ]  # fmt: skip
        steps += zip(starts, images, strict=True)
        steps.append((page.end, drawn.blank))
    steps.append((total_s, drawn.blank))
    lines = ["ffconcat version 1.0"]
    for (start, path), (nxt, _) in itertools.pairwise(steps):
        if nxt - start <= 0:
            continue
        lines += [f"file '{path.name}'", f"duration {nxt - start:.3f}"]
    lines.append(f"file '{drawn.blank.name}'")  # the last entry's duration only applies with one after it
    concat = drawn.blank.with_name(drawn.blank.name.removesuffix("-blank.png") + ".ffconcat")
    concat.write_text("\n".join(lines) + "\n")
    return Track(concat, drawn.band)
