"""bench.compose's API section: composing through the gateway and the compositor agent, as a user does.

The whole mesh starts on free ports (the launcher, offline engines, its own embedded PostgreSQL and
NATS), a session goes through images and clips once, then the same clips are composed again and
again: without a voiceover, and with a voiceover and highlighted word captions. Each compose is
timed from the POST to the final on the session's socket, as a first render (the session's kept
voice and music cleared) and as a re-render (kept, as after fixing the CTA). Each downloaded final
is re-encoded bare (decode + libx264, the same settings) in a fresh interpreter, so every ratio
compares the API path with a bare encode of the very same pixels, measured side by side in this run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from client.api import AdreelClient
from client.journey import VIDEO_DONE, AdSpec, run_journey
from client.models import Event
from services.compositor.render import STITCH_MSG
from stack.spawn import LaunchedStack, Ports

SCRIPT = "Meet Aurora Runner. Light, fast and made for every track you run. Feel the bounce. Shop now!"
SPEC = AdSpec(
    product="aurora running shoes, white mesh with coral soles",
    scene="running on an outdoor track at golden hour, dust in the air",
    out=Path("unused.mp4"),
    images=4,
    pick_images="4",
    clip_duration=2.5,
    name="Aurora Runner",
)


async def _compose(client: AdreelClient, session_id: str, dest: Path, voice: bool) -> tuple[float, float]:
    """Seconds from the POST to the finished final, and to the encode's start (the first "Stitching
    clips..." on the socket); the final is downloaded to `dest` after."""
    voiceover = {"script": SCRIPT, "voice": "joe", "speed": 1.0} if voice else None
    start = time.perf_counter()
    stitching: list[float] = []

    def on_event(event: Event) -> None:
        if event.message == STITCH_MSG and not stitching:
            stitching.append(time.perf_counter() - start)

    await client.compose(
        session_id,
        SPEC.product_name,
        SPEC.cta,
        voiceover=voiceover,
        captions="highlight" if voice else "none",
    )
    session = await client.wait_for_stage(session_id, VIDEO_DONE, on_event=on_event, poll_s=0.5)
    seconds = time.perf_counter() - start
    assert session.final_video is not None
    await client.download(session.final_video.url, dest)
    return seconds, stitching[0] if stitching else float("nan")


async def _runs(url: str, work: Path, repeat: int, storage: Path) -> dict[str, list[tuple[float, float]]]:
    """Each compose twice: a first render (the session's kept audio cleared before it), then the
    same again, as after fixing the CTA (the voice and music kept: session_audio)."""
    async with AdreelClient(url) as client:
        await client.login()
        first = await run_journey(client, replace(SPEC, out=work / "first.mp4"))
        times: dict[str, list[tuple[float, float]]] = {
            n: [] for n in ("none", "voice", "none again", "voice again")
        }
        sid = first.session_id
        for _ in range(max(1, repeat)):  # interleaved, so load hits both alike
            for name, voice in (("none", False), ("voice", True)):
                dest = work / ("api-voice.mp4" if voice else "api.mp4")
                shutil.rmtree(storage / "sessions" / sid / "audio", ignore_errors=True)
                times[name].append(await _compose(client, sid, dest, voice=voice))
                times[f"{name} again"].append(await _compose(client, sid, dest, voice=voice))
        return times


def api_section(work: Path, repeat: int, bare: Callable[[str], dict[str, float]]) -> None:
    """`bare(file name in work)` re-encodes that file in a fresh interpreter and returns its times."""
    print("api: compose-final-video through the gateway and the agent vs a bare re-encode of its final")
    with tempfile.TemporaryDirectory(prefix="bench-compose-api-") as home:
        env = {**Ports().env(), "ADREEL_HOME": home, "ADREEL_ENGINE": "local"}
        stack = LaunchedStack(env)
        try:
            url = stack.start()
            times = asyncio.run(_runs(url, work, repeat, Path(home) / "storage"))
        finally:
            stack.stop()
    none, voice = min(t for t, _ in times["none"]), min(t for t, _ in times["voice"])
    bare_none = min(bare("api.mp4")["wall_s"] for _ in range(max(1, repeat)))
    bare_voice = min(bare("api-voice.mp4")["wall_s"] for _ in range(max(1, repeat)))
    print(f"compose via API, no voice        {none:6.2f} s   bare re-encode {bare_none:6.2f} s")
    print(f"compose via API, voice+captions  {voice:6.2f} s   bare re-encode {bare_voice:6.2f} s")
    print(f"API path / bare (no voice):        {none / bare_none:.2f}   goal <= 1.3")
    print(f"API path / bare (voice+captions):  {voice / bare_voice:.2f}   goal <= 1.3")
    print(f"voice+captions / none (API path):  {voice / none:.3f}  goal <= 1.15")
    again, voice_again = min(t for t, _ in times["none again"]), min(t for t, _ in times["voice again"])
    print("re-rendered, the session's voice and music kept (as after fixing the CTA):")
    print(f"compose via API, no voice        {again:6.2f} s   / bare {again / bare_none:.2f}")
    print(f"compose via API, voice+captions  {voice_again:6.2f} s   / bare {voice_again / bare_voice:.2f}")
    print(f"voice+captions / none (API path):  {voice_again / again:.3f}")
    # The steadier part: the time until the encode starts (the encode's own time varies run to run).
    before = {name: statistics.median(b for _, b in runs) for name, runs in times.items()}
    print(
        "before the encode (median): first render {none:.2f} s, with voice {voice:.2f} s; "
        "re-render {none again:.2f} s, with voice {voice again:.2f} s".format_map(before)
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"(load average {load} after the section)")
