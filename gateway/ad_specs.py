"""One ad ordered by a program: what a batch row, the MCP server's `create_ad` and `quote` take, how
a CSV or JSON list of them is read (every problem named by row and column, before anything is
spent), and what an ad costs at most (its quote).

A row is made with automatic picks, as `adreel generate --pick auto` makes it: `images` product
images, the first `clips` of them animated (by default as many as make an ad of about 10 s), every
clip kept in order, then one compose with the row's texts, formats, music, voiceover and brand kit.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from gateway.core.config import Settings
from gateway.schemas import (
    CallToAction,
    OutputFormat,
    ProductName,
    ProductText,
    SceneText,
    Strict,
    VideoModel,
    Voice,
    VoiceoverScript,
)
from services.common.costs import usd_to_micros

# The length an automatic pick aims for (8-12 s ads): intro and outro cards take about 2 s.
TARGET_AD_S = 10.0
CARDS_S = 2.0
Genre = Literal["upbeat", "chill", "energetic"]
Music = Literal["upbeat", "chill", "energetic", "none"]
COLUMNS = (
    "product",
    "scene",
    "name",
    "cta",
    "formats",
    "music",
    "brand_font",
    "brand_color",
    "images",
    "clips",
    "clip_duration",
    "video_model",
    "voiceover",
    "voice",
    "captions",
)
REQUIRED = ("product", "scene")
_SPLIT = re.compile(r"[\s;|,]+")
_OFF = {"none", "off", "no", "false", "0"}
_ON = {"yes", "on", "true", "1"}


class BrandKit(Strict):
    """The brand's look on the cards: a compositor font (GET /api/fonts) and the text colour."""

    font: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")


class AdSpec(Strict):
    """One ad with automatic picks; only `product` and `scene` are required."""

    product: ProductText
    scene: SceneText
    # The product name on the intro card (default: the product text, cut to 50 characters).
    name: ProductName | None = None
    cta: CallToAction = "Shop Now"
    formats: list[OutputFormat] = Field(default_factory=lambda: ["16:9"], min_length=1, max_length=3)
    # A music genre, or "none" for a silent ad.
    music: Music = "upbeat"
    brand_kit: BrandKit = Field(default_factory=BrandKit)
    images: int = Field(default=6, ge=4, le=8)
    # How many of the images are animated (the first ones); default: enough for a ~10 s ad.
    clips: int | None = Field(default=None, ge=1, le=8)
    clip_duration: float = Field(default=3.0, ge=2.0, le=4.0)
    # The image-to-video model on the replicate engine ("": its default, GET /api/engines).
    video_model: VideoModel = ""
    # A spoken script over the final: "auto" (the prompt parser writes one that fits the ad and ends
    # with the CTA), the script itself, or none.
    voiceover: Literal["auto"] | VoiceoverScript | None = None
    # Omitted: the compositor's default voice (GET /api/voices).
    voice: Voice | None = None
    # Word-timed captions of the voiceover.
    captions: Literal["none", "phrase", "highlight"] = "none"

    @field_validator("voiceover", mode="before")
    @classmethod
    def _voiceover_word(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in (*_OFF, ""):
            return None
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        return value

    @model_validator(mode="after")
    def _captions_need_a_voice(self) -> AdSpec:
        if self.captions != "none" and self.voiceover is None:
            raise ValueError("captions: needs a voiceover (auto or a script) to caption")
        return self

    @field_validator("formats", mode="before")
    @classmethod
    def _format_list(cls, value: Any) -> Any:
        # A CSV cell (or a JSON string) holds them separated by spaces, ";" or "|".
        if isinstance(value, str):
            return [f for f in _SPLIT.split(value.strip()) if f] or ["16:9"]
        return value

    @field_validator("formats")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("music", mode="before")
    @classmethod
    def _music_word(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return "upbeat" if value else "none"
        if isinstance(value, str):
            word = value.strip().lower()
            return "none" if word in _OFF else "upbeat" if word in _ON or not word else word
        return value

    @model_validator(mode="after")
    def _clips_fit(self) -> AdSpec:
        if self.clips is not None and self.clips > self.images:
            raise ValueError(f"clips: at most images ({self.images})")
        return self

    @property
    def clip_count(self) -> int:
        if self.clips is not None:
            return self.clips
        return max(2, min(self.images, round((TARGET_AD_S - CARDS_S) / self.clip_duration)))

    @property
    def product_name(self) -> str:
        return self.name or self.product.strip()[:50].strip()


@dataclass(frozen=True)
class Quote:
    """What an ad may cost at most, from the same per-call estimates every stage is checked against."""

    images: int
    clips: int
    parse_micros: int
    images_micros: int
    clips_micros: int
    compose_micros: int

    @property
    def total_micros(self) -> int:
        return self.parse_micros + self.images_micros + self.clips_micros + self.compose_micros


def quote(spec: AdSpec, settings: Settings) -> Quote:
    """The sum of the three stage estimates the routes check (gateway/stage_runner.py)."""
    s = settings
    n_images, n_clips = spec.images, spec.clip_count
    return Quote(
        images=n_images,
        clips=n_clips,
        # The product is parsed once and the scene once (and the parser writes an "auto" script).
        parse_micros=(3 if spec.voiceover == "auto" else 2) * usd_to_micros(s.estimate_parse_usd),
        images_micros=usd_to_micros(n_images * s.estimate_image_usd),
        clips_micros=usd_to_micros(n_clips * s.estimate_clip_usd),
        compose_micros=usd_to_micros(s.estimate_compose_usd),
    )


class RowProblem(BaseModel):
    # The column (a JSON row's key) and what is wrong with its value.
    column: str
    message: str


class BatchInputError(ValueError):
    """The input as a whole cannot be read (not one row's problem); the message names the field."""


def _column_of(loc: tuple[Any, ...]) -> str:
    head = [str(p) for p in loc if not isinstance(p, int)]
    if head[:1] == ["brand_kit"] and len(head) > 1:
        return f"brand_{head[1]}"
    return head[0] if head else "row"


def problems_of(exc: ValidationError) -> list[RowProblem]:
    """Each refused column once, with pydantic's message (the value itself is not repeated)."""
    found: dict[str, str] = {}
    for err in exc.errors(include_url=False, include_input=False):
        column = _column_of(tuple(err.get("loc", ())))
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if column == "row" and ": " in message:  # a rule across columns names its own
            column, message = message.split(": ", 1)
        found.setdefault(column, message)
    return [RowProblem(column=c, message=m) for c, m in found.items()]


def _flatten_brand(row: dict[str, Any]) -> dict[str, Any]:
    """CSV's brand_font / brand_color columns (also taken in JSON rows) into the brand kit."""
    row = dict(row)
    kit = dict(row.pop("brand_kit", None) or {}) if isinstance(row.get("brand_kit"), dict) else None
    font, color = row.pop("brand_font", None), row.pop("brand_color", None)
    if kit is None and "brand_kit" in row:  # not an object: let validation name it
        return row
    kit = kit or {}
    if font not in (None, ""):
        kit["font"] = font
    if color not in (None, ""):
        kit["color"] = color
    row["brand_kit"] = kit
    return row


def check_row(raw: Any) -> tuple[AdSpec | None, list[RowProblem]]:
    """The row as an AdSpec, or every problem it has."""
    if not isinstance(raw, dict):
        return None, [RowProblem(column="row", message="must be an object of column: value")]
    row = {k: v for k, v in raw.items() if not (isinstance(v, str) and not v.strip() and k not in REQUIRED)}
    try:
        return AdSpec.model_validate(_flatten_brand(row)), []
    except ValidationError as exc:
        return None, problems_of(exc)


def read_csv(text: str, max_rows: int) -> list[dict[str, Any]]:
    """The data rows of a CSV with a header line (the COLUMNS, in any order; `product` and `scene`
    required). Cells are stripped; blank lines are skipped."""
    if "\x00" in text:
        raise BatchInputError("csv: must not contain NUL characters")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        lines = [line for line in reader if any(cell.strip() for cell in line)]
    except csv.Error as exc:
        raise BatchInputError(f"csv: cannot be read ({exc})") from None
    if not lines:
        raise BatchInputError("csv: is empty; the first line names the columns (product,scene,...)")
    header = [h.strip().lower() for h in lines[0]]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise BatchInputError(f"csv: unknown column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}")
    if missing := [c for c in REQUIRED if c not in header]:
        raise BatchInputError(f"csv: the column {missing[0]!r} is missing from the first line")
    if len(set(header)) != len(header):
        raise BatchInputError("csv: a column is named twice in the first line")
    rows = lines[1:]
    if not rows:
        raise BatchInputError("csv: has a header but no rows")
    if len(rows) > max_rows:
        raise BatchInputError(f"csv: at most {max_rows} rows per batch ({len(rows)} given)")
    out: list[dict[str, Any]] = []
    for cells in rows:
        row: dict[str, Any] = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            row["__extra__"] = cells[len(header) :]
        out.append(row)
    return out


def checked_rows(rows: list[Any]) -> list[tuple[AdSpec | None, list[RowProblem]]]:
    results = []
    for raw in rows:
        if isinstance(raw, dict) and "__extra__" in raw:
            results.append((None, [RowProblem(column="row", message="has more cells than the header")]))
            continue
        results.append(check_row(raw))
    return results


def quote_total(specs: list[AdSpec], settings: Settings) -> Decimal:
    return Decimal(sum(quote(s, settings).total_micros for s in specs)) / 1_000_000
