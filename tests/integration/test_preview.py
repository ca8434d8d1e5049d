"""The free 480p preview (animatic): the compositor over real gRPC and FFmpeg, probed and checked by
its pixels and samples; then the gateway route with the four real agents behind it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import numpy as np
import pytest
from PIL import Image

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.media import probe
from services.common.storage import LocalStore
from services.compositor.config import Settings
from services.compositor.server import build
from tests.agents import running_agent
from tests.compositing import compose, make_clip, put_clips, request, video_path
from tests.gateway_support import Stack, fixture_stack, gateway_database
from tests.video_analysis import audio_samples, color_share, frame_at

__all__ = ["fixture_stack", "gateway_database"]
YELLOW = (255, 204, 0)
M = common_pb2.CameraMovement


@pytest.fixture
async def compositor(storage_dir: Path) -> AsyncIterator[pb_grpc.CompositorServiceStub]:
    agent, settings = build(Settings(storage_dir=storage_dir, engine="local"))
    async with running_agent(agent, settings) as (_, channel):
        yield pb_grpc.CompositorServiceStub(channel)


def put_still(store: LocalStore, session: str, name: str) -> common_pb2.AssetRef:
    """A 1024x1024 product-photo stand-in: smooth gradients, so any camera move changes the pixels
    at every scale and the encoder's noise on fine detail does not."""
    ramp = np.linspace(0, 255, 1024, dtype=np.float32)
    rgb = np.stack(np.broadcast_arrays(ramp[None, :], ramp[:, None], 255 - ramp[None, :] / 2), axis=-1)
    key = f"sessions/{session}/images/{name}.png"
    store.path_of(key).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb.astype(np.uint8), "RGB").save(store.path_of(key))
    return common_pb2.AssetRef(uri=f"asset://{key}", content_type="image/png")


async def test_preview_of_clips_is_480p_with_text_and_music_and_free(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, tmp_path: Path
) -> None:
    files = [
        make_clip(tmp_path / "a.mp4", "1024x576", 30, 2.0),
        make_clip(tmp_path / "b.mp4", "1280x720", 24, 1.5),
    ]
    req = request(
        put_clips(store, "v1", files),
        session_id="v1",
        music=pb.Music(enabled=True, genre=pb.MUSIC_GENRE_UPBEAT),
        preview=True,
    )
    progress, result = await compose(compositor, req)
    assert [p.fraction for p in progress] == sorted(p.fraction for p in progress)

    asset = result.videos[0].asset
    assert asset.uri == "asset://sessions/v1/preview/16x9.mp4"
    path = video_path(store, asset)
    info = probe(path)
    assert (info.width, info.height, info.fps) == (854, 480, 30.0)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert abs(info.duration_s - (1.0 + 2.0 + 1.5 + 1.0 - 3 * 0.5)) <= 0.1
    # The same layout as the final at 480/1080 of its size: the name in the lower third over the
    # clips (the final test's 1080p box [880:960, 560:1360], scaled), the CTA mid-card at the end.
    assert color_share(frame_at(path, 2.0)[391:427, 249:604], YELLOW) > 0.05
    assert color_share(frame_at(path, info.duration_s - 0.1)[144:336], YELLOW) > 0.005
    audio = audio_samples(path)
    assert -30 < 20 * np.log10(np.sqrt(np.mean(audio**2))) < -8, "the music is in the preview"

    assert (result.cost.usd_micros, result.cost.model) == (0, "preview")
    assert result.music_cost.usd_micros == 0 and not result.HasField("music")

    # Never replayed: the same call renders again, in place.
    progress, again = await compose(compositor, req)
    assert progress and not again.replayed
    assert again.videos[0].asset.uri == asset.uri


async def test_preview_from_stills_only_moves_the_camera(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore
) -> None:
    moves = (M.CAMERA_MOVEMENT_ZOOM_IN, M.CAMERA_MOVEMENT_PAN_RIGHT, M.CAMERA_MOVEMENT_STATIC)
    stills = [
        pb.StillShot(
            image=put_still(store, "v2", f"i{k}"), camera_movement=m, motion_intensity=1.0, duration_s=2.0
        )
        for k, m in enumerate(moves)
    ]
    req = request([], session_id="v2", stills=stills, formats=[pb.OUTPUT_FORMAT_PORTRAIT_9_16], preview=True)
    _, result = await compose(compositor, req)
    path = video_path(store, result.videos[0].asset)
    info = probe(path)
    assert (info.width, info.height) == (480, 854)
    assert not info.has_audio, "music off: no audio track"
    # Stills play from 0.5, 2.0 and 3.5 s for 2 s each; cross-fades end 0.5 s in and start 0.5 s
    # before the end, so [start + 0.55, start + 1.45] shows one still alone. The 16:9 shot sits in the
    # portrait frame's middle band (rows 292-562), clear of the text slots.
    band = slice(300, 550)

    def change(start: float) -> float:
        a, b = frame_at(path, start + 0.55)[band], frame_at(path, start + 1.45)[band]
        return float(np.abs(a.astype(int) - b.astype(int)).mean())

    assert change(0.5) > 4, "zoom in: the picture changes"
    assert change(2.0) > 4, "pan: the picture changes"
    assert change(3.5) < 1.5, "static: it holds"
    assert color_share(frame_at(path, info.duration_s - 0.1)[256:598], YELLOW) > 0.005
    assert (result.cost.usd_micros, result.cost.model) == (0, "preview")


async def test_preview_speaks_and_captions_as_the_final_will_and_keeps_the_take(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, storage_dir: Path, tmp_path: Path
) -> None:
    clips = put_clips(store, "v4", [make_clip(tmp_path / f"c{i}.mp4", "1024x576", 30, 2.5) for i in range(2)])
    script = "Meet Aurora Runner. Light and fast. Shop now!"

    def sketch(captions: int) -> pb.ComposeRequest:
        return request(
            clips,
            session_id="v4",
            item_id=f"preview-{captions}",
            voiceover=pb.Voiceover(script=script),
            captions=captions,
            preview=True,
        )

    _, plain = await compose(compositor, sketch(pb.CAPTION_STYLE_UNSPECIFIED))
    plain_path = tmp_path / "plain.mp4"
    plain_path.write_bytes(video_path(store, plain.videos[0].asset).read_bytes())
    _, captioned = await compose(compositor, sketch(pb.CAPTION_STYLE_HIGHLIGHT))
    path = video_path(store, captioned.videos[0].asset)
    assert (probe(path).width, probe(path).height) == (854, 480)
    assert (captioned.cost.usd_micros, captioned.voice_cost.usd_micros) == (0, 0)
    assert captioned.fallback_reason == "", "the offline engine's own voice: nothing stands in"

    # The voice is heard while it speaks, and the captions are drawn only then.
    start, end = 0.5, 0.5 + captioned.voiceover_s
    audio = audio_samples(path).T
    spoken = audio[int(start * 48000) : int(end * 48000)]
    assert 20 * np.log10(np.sqrt(np.mean(spoken**2))) > -35

    def lower_diff(t: float) -> float:
        a, b = frame_at(plain_path, t)[240:], frame_at(path, t)[240:]
        return float(np.abs(a.astype(int) - b.astype(int)).mean())

    assert lower_diff((start + end) / 2) > 2 * lower_diff(0.1) + 1, "captions over the speech"

    # The offline take is the session's: the final after it says the same words from storage.
    assert list((storage_dir / "sessions/v4/audio").glob("voice-*.npz"))
    final_req = request(clips, session_id="v4", item_id="final-1", voiceover=pb.Voiceover(script=script))
    _, final = await compose(compositor, final_req)
    assert abs(final.voiceover_s - captioned.voiceover_s) < 0.01


async def test_preview_refusals_name_the_field(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, tmp_path: Path
) -> None:
    clips = put_clips(store, "v3", [make_clip(tmp_path / "c.mp4", "640x360", 30, 1.0)])
    image = put_still(store, "v3", "ok")
    shot = pb.StillShot(image=image, camera_movement=M.CAMERA_MOVEMENT_ZOOM_IN, duration_s=2.0)
    not_image = store.path_of("sessions/v3/images/text.png")
    not_image.write_text("not an image")
    bad_image = pb.StillShot(
        image=common_pb2.AssetRef(uri="asset://sessions/v3/images/text.png"), duration_s=2.0
    )
    cases: list[tuple[dict[str, Any], str]] = [
        ({"clips": [], "stills": [shot]}, "stills"),  # stills in a final
        ({"clips": clips, "stills": [shot], "preview": True}, "stills"),
        ({"clips": [], "stills": [shot] * 9, "preview": True}, "stills"),
        (
            {"clips": [], "stills": [pb.StillShot(image=image, duration_s=12)], "preview": True},
            "stills[0].duration_s",
        ),
        (
            {
                "clips": [],
                "stills": [shot, pb.StillShot(image=image, duration_s=2, camera_movement=42)],
                "preview": True,
            },
            "stills[1].camera_movement",
        ),
        (
            {
                "clips": [],
                "stills": [pb.StillShot(image=image, duration_s=2, motion_intensity=2)],
                "preview": True,
            },
            "stills[0].motion_intensity",
        ),
        ({"clips": [], "stills": [bad_image], "preview": True}, "stills[0].image"),
        (
            {"formats": [pb.OUTPUT_FORMAT_LANDSCAPE_16_9, pb.OUTPUT_FORMAT_SQUARE_1_1], "preview": True},
            "formats",
        ),
    ]
    for change, field in cases:
        fields = {"session_id": "v3", "clips": clips} | change
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await compose(compositor, request(fields.pop("clips"), **fields))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, field
        assert (err.value.details() or "").startswith(f"{field}:"), (field, err.value.details())


# ---------------------------------------------------------------- the gateway route

FORM = {
    "text_overlay": {"product_name": "Aurora Mug", "cta": "Shop now", "font": "Inter", "color": "#FFCC00"},
    "audio": {"enabled": True, "genre": "chill"},
    "intro_duration": 1.0,
    "outro_duration": 1.0,
    "transition_duration": 0.3,
}


async def _session_with_approved_images(client: httpx.AsyncClient, h: dict[str, str]) -> str:
    sid = (await client.post("/api/sessions/create", headers=h, json={})).json()["session_id"]
    body = {"session_id": sid, "product_prompt": "matte black ceramic coffee mug", "num_images": 4}
    assert (await client.post("/api/generate-images", headers=h, json=body)).status_code == 202
    for _ in range(600):
        session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        if session["stage"] != "image_generation" and len(session["generated_images"]) == 4:
            break
        assert session["stage"] != "failed", session
        await asyncio.sleep(0.1)
    ids = [i["id"] for i in session["generated_images"]]
    r = await client.post(
        "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ids[:2]}
    )
    assert r.status_code == 200, r.text
    return sid


async def test_preview_route_renders_the_stills_for_free_one_at_a_time(stack: Stack) -> None:
    client = stack.client
    token = (
        await client.post("/api/auth/register", json={"email": "p@example.com", "password": "secret-pass"})
    ).json()["session_token"]
    h = {"Authorization": f"Bearer {token}"}

    empty = (await client.post("/api/sessions/create", headers=h, json={})).json()["session_id"]
    r = await client.post(f"/api/sessions/{empty}/preview", headers=h, json=FORM)
    assert r.status_code == 422 and "approved_images" in r.text, r.text

    sid = await _session_with_approved_images(client, h)
    cost_before = (await client.get(f"/api/sessions/{sid}", headers=h)).json()["total_cost"]

    # Two at once: one renders, the other is told one is running.
    first, second = await asyncio.gather(
        client.post(f"/api/sessions/{sid}/preview", headers=h, json=FORM),
        client.post(f"/api/sessions/{sid}/preview", headers=h, json=FORM | {"session_id": sid}),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409], (first.text, second.text)
    done = first if first.status_code == 200 else second
    body = done.json()
    assert (body["width"], body["height"]) == (854, 480)
    # 1 s intro + 2 stills of the session's clip length (3 s, none planned yet) + 1 s outro - 3 fades.
    assert abs(body["duration"] - (1.0 + 2 * 3.0 + 1.0 - 3 * 0.3)) <= 0.1

    media = await client.get(body["url"])
    assert media.status_code == 200 and media.headers["content-type"] == "video/mp4"
    path = Path(stack.settings.storage_dir) / f"sessions/{sid}/preview/16x9.mp4"
    assert path.read_bytes() == media.content, "stored under the session's prefix"
    info = probe(path)
    assert (info.width, info.height, info.audio_codec) == (854, 480, "aac")
    assert (await client.get(f"/api/sessions/{sid}", headers=h)).json()["total_cost"] == cost_before

    # Free to run again (it replaces the stored one), and a refusal names the body's field.
    again = await client.post(f"/api/sessions/{sid}/preview", headers=h, json=FORM | {"formats": ["1:1"]})
    assert again.status_code == 200 and (again.json()["width"], again.json()["height"]) == (480, 480)
    bad = FORM | {"text_overlay": FORM["text_overlay"] | {"color": "yellow"}}
    r = await client.post(f"/api/sessions/{sid}/preview", headers=h, json=bad)
    assert r.status_code == 422 and "color" in r.text
    bad = FORM | {"text_overlay": FORM["text_overlay"] | {"product_name": "a\nb\nc"}}
    r = await client.post(f"/api/sessions/{sid}/preview", headers=h, json=bad)
    # The gateway refuses it itself, by the compositor's own rule (services/common/contract.py).
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-2:] == ["text_overlay", "product_name"]
    r = await client.post(f"/api/sessions/{sid}/preview", headers=h, json=FORM | {"session_id": empty})
    assert r.status_code == 422 and "session_id" in r.text
