"""The music engine behind the compositor.

Compositing itself is always our own FFmpeg run; what differs between engines is who makes the
soundtrack: `local` synthesises it with numpy, `replicate` calls MusicGen (falling back to the
local synth when it fails). Either returns raw samples; the compositor fits them (length, loudness, fades).
"""

from __future__ import annotations

from services.compositor.config import Settings
from services.compositor.providers.base import MusicProvider, MusicRequest, MusicTrack
from services.compositor.providers.local import LocalMusic

__all__ = ["MusicProvider", "MusicRequest", "MusicTrack", "make_provider"]


def make_provider(settings: Settings) -> MusicProvider:
    if settings.engine == "replicate":
        # Imported here: the replicate engine loads its HTTP client only when chosen.
        from services.compositor.providers.replicate import ReplicateMusic

        return ReplicateMusic(settings)
    return LocalMusic()
