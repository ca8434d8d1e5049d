"""The audio engines behind the compositor.

Compositing itself is always our own FFmpeg run; what differs between engines is who makes the
soundtrack and speaks the voiceover: `local` synthesises the music with numpy and speaks with the
offline Piper voice; `replicate` calls Stable Audio 2.5 (or, opted into, MusicGen) and Kokoro
(falling back to the local synth and the offline voice when they fail). Either returns raw samples;
the compositor fits them (length, loudness, fades, ducking).
"""

from __future__ import annotations

from services.compositor.config import Settings
from services.compositor.providers.base import MusicProvider, MusicRequest, MusicTrack, VoiceProvider
from services.compositor.providers.local import LocalMusic, LocalVoice

__all__ = ["MusicProvider", "MusicRequest", "MusicTrack", "VoiceProvider", "make_provider", "make_voice"]


def make_provider(settings: Settings) -> MusicProvider:
    if settings.engine == "replicate":
        # Imported here: the replicate engine loads its HTTP client only when chosen.
        from services.compositor.providers.replicate import ReplicateMusic

        return ReplicateMusic(settings)
    return LocalMusic()


def make_voice(settings: Settings, music: MusicProvider) -> VoiceProvider:
    """The engine's voice; on replicate it shares the music engine's runner (one client, one token)."""
    if settings.engine == "replicate":
        from services.compositor.providers.replicate import ReplicateMusic, ReplicateVoice

        assert isinstance(music, ReplicateMusic)
        return ReplicateVoice(music.runner)
    return LocalVoice()
