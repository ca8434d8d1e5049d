"""Images on Replicate: Flux 1.1 Pro (official, by name), falling back to SDXL (pinned version).

Flux 1.1 Pro takes prompt, seed, aspect_ratio, output_format, safety_tolerance and
prompt_upsampling, and no negative prompt or guidance; SDXL takes both. When Flux fails (its
safety filter, an error, a timeout) the same job is made with SDXL and `fallback_reason` says why;
the failed attempt's cost, if any, is added to the item's. Every image of a session shares the
request's seed. The result is normalised to the agent's square PNG.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PIL import Image

from adreel.v1 import common_pb2
from services.common.errors import InvalidArgument
from services.common.replicate_client import (
    ModelRef,
    OutputFiles,
    ReplicateRefused,
    ReplicateRunner,
    ReplicateUnavailable,
    runner_for,
)
from services.image_gen.config import Settings
from services.image_gen.providers import GeneratedImage, ImageRequest

log = logging.getLogger(__name__)

FLUX = ModelRef("black-forest-labs/flux-1.1-pro")
SDXL = ModelRef("stability-ai/sdxl", "7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc")
ALIASES = {"": FLUX, "flux-1.1-pro": FLUX, FLUX.name: FLUX, "sdxl": SDXL, SDXL.name: SDXL}
# Flux takes a seed up to 2**32-1 and SDXL an int32; the parser's seeds are below 2**31 anyway.
MAX_SEED = 2**31 - 1


class ReplicateImages:
    name = "replicate"

    def __init__(
        self, settings: Settings, runner: ReplicateRunner | None = None, flux_timeout_s: float = 120
    ):
        self.runner = runner or runner_for(settings)
        self.settings = settings
        self.flux_timeout_s = flux_timeout_s

    async def start(self) -> None:
        await self.runner.check()

    async def close(self) -> None:
        await self.runner.aclose()

    async def generate(self, request: ImageRequest, out_dir: Path) -> GeneratedImage:
        model = ALIASES.get(request.model)
        if model is None:
            raise InvalidArgument("model", f"must be one of {sorted(k for k in ALIASES if k)} or empty")
        if model is SDXL:
            return await self._sdxl(request, out_dir, spent=None, reason="")
        try:
            result = await self.runner.run(
                FLUX,
                {
                    "prompt": request.prompt,
                    "seed": request.seed % MAX_SEED,
                    "aspect_ratio": "1:1",
                    "output_format": "png",
                    "safety_tolerance": 2,
                    "prompt_upsampling": False,
                },
                outputs=OutputFiles(f"{request.item_id}-flux", ("image/",), limit=1, directory=out_dir),
                timeout_s=self.flux_timeout_s,
            )
        except (ReplicateRefused, ReplicateUnavailable) as exc:
            log.warning("flux failed, falling back to sdxl", extra={"item_id": request.item_id})
            return await self._sdxl(request, out_dir, spent=exc.cost, reason=f"{FLUX.name}: {exc.message}")
        path = await self._square_png(result.files[0].path, out_dir / f"{request.item_id}.png")
        return GeneratedImage(path, result.cost)

    async def _sdxl(
        self, request: ImageRequest, out_dir: Path, spent: common_pb2.Cost | None, reason: str
    ) -> GeneratedImage:
        result = await self.runner.run(
            SDXL,
            {
                "prompt": request.prompt,
                "negative_prompt": request.negative_prompt,
                "width": 1024,
                "height": 1024,
                "num_outputs": 1,
                "guidance_scale": min(50.0, max(1.0, request.guidance_scale)),
                "num_inference_steps": 30,
                "seed": request.seed % MAX_SEED,
                "refine": "no_refiner",
                "apply_watermark": False,
            },
            outputs=OutputFiles(f"{request.item_id}-sdxl", ("image/",), limit=1, directory=out_dir),
        )
        cost = common_pb2.Cost()
        cost.CopyFrom(result.cost)
        if spent is not None:
            cost.usd_micros += spent.usd_micros
            cost.seconds = round(cost.seconds + spent.seconds, 3)
        path = await self._square_png(result.files[0].path, out_dir / f"{request.item_id}.png")
        fallback = f"{reason}; made with {SDXL.name} instead" if reason else ""
        return GeneratedImage(path, cost, fallback)

    async def _square_png(self, src: Path, dest: Path) -> Path:
        size = self.settings.image_size

        def convert() -> Path:
            with Image.open(src) as im:
                rgb = im.convert("RGB")
                side = min(rgb.size)
                left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
                square = rgb.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)
                square.save(dest, "PNG", compress_level=self.settings.png_compress_level)
            return dest

        return await asyncio.to_thread(convert)
