"""The audio choices a compose request may name, declared once for the gateway and the compositor.

Music: on the replicate engine the soundtrack comes from Stable Audio 2.5, whose outputs may be used
commercially; a session may opt in to MusicGen instead, whose weights are CC-BY-NC (non-commercial:
not for ads). The local engine synthesises its own track whatever the choice.

Voices: every engine speaks with the offline Piper voice ("joe"); the replicate engine adds the
Kokoro-82M voices (Apache-2.0) on jaaari/kokoro-82m and speaks with the first of them by default.
Which voices a running compositor speaks is its own answer (ListVoices); the gateway's request models
only refuse a voice no engine has.
"""

from __future__ import annotations

from dataclasses import dataclass

MUSIC_MODELS = ("stable-audio-2.5", "musicgen")
DEFAULT_MUSIC_MODEL = MUSIC_MODELS[0]


@dataclass(frozen=True)
class VoiceChoice:
    id: str
    name: str
    # Spoken by a paid online model (the replicate engine), else by the offline voice.
    online: bool


OFFLINE_VOICES = (VoiceChoice("joe", "Joe (US English, male, offline)", online=False),)
# The English voices of jaaari/kokoro-82m's voice enum (its other languages need other scripts).
KOKORO_VOICES = tuple(
    VoiceChoice(voice_id, name, online=True)
    for voice_id, name in (
        ("af_bella", "Bella (US English, female)"),
        ("af_nicole", "Nicole (US English, female)"),
        ("af_sarah", "Sarah (US English, female)"),
        ("af_sky", "Sky (US English, female)"),
        ("am_adam", "Adam (US English, male)"),
        ("am_michael", "Michael (US English, male)"),
        ("bf_emma", "Emma (British English, female)"),
        ("bf_isabella", "Isabella (British English, female)"),
        ("bm_george", "George (British English, male)"),
        ("bm_lewis", "Lewis (British English, male)"),
    )
)
ALL_VOICE_IDS = tuple(v.id for v in (*OFFLINE_VOICES, *KOKORO_VOICES))


def engine_voices(engine: str) -> tuple[VoiceChoice, ...]:
    """The voices an engine speaks, its default first."""
    return (*KOKORO_VOICES, *OFFLINE_VOICES) if engine == "replicate" else OFFLINE_VOICES
