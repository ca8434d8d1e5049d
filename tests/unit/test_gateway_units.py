"""Small parts of the gateway on their own: the progress hub, the local JWT secret, font names, the
agents' channel targets."""

from __future__ import annotations

import stat
from pathlib import Path

from gateway.agents import channel_target
from gateway.api.routes.generation import resolve_font
from gateway.core.config import Settings
from gateway.core.security import create_access_token, create_media_token, decode_token
from gateway.progress import QUEUE_SIZE, ProgressHub
from gateway.schemas import Font


def publish(hub: ProgressHub, sid: str, progress: int) -> int:
    event = hub.publish(
        sid,
        type="progress",
        stage="image_generation",
        session_stage="image_generation",
        progress=progress,
        message="m",
    )
    return event.seq


def test_hub_fans_out_to_every_socket_and_drops_a_stalled_one() -> None:
    hub = ProgressHub()
    a, b, stalled = hub.subscribe("s1"), hub.subscribe("s1"), hub.subscribe("s1")
    other = hub.subscribe("s2")
    seqs = []
    for i in range(QUEUE_SIZE + 5):
        seqs.append(publish(hub, "s1", i % 100))
        a.queue.get_nowait()
        b.queue.get_nowait()
    # The stalled socket filled its queue and was dropped; the others saw every event in order.
    assert len(hub._subs["s1"]) == 2 and stalled.queue.full()
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert other.queue.empty() and hub.latest("s1") is not None and hub.latest("s1").seq == seqs[-1]
    assert hub.latest("s2") is None


def test_local_jwt_secret_is_random_private_and_kept(tmp_path: Path) -> None:
    first = Settings(state_dir=tmp_path, jwt_secret=None).jwt_key
    path = tmp_path / "jwt_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) >= 40
    assert Settings(state_dir=tmp_path, jwt_secret=None).jwt_key == first
    assert Settings(state_dir=tmp_path / "other", jwt_secret=None).jwt_key != first


def test_tokens_are_typed_signed_and_expire() -> None:
    access = create_access_token(7, "k" * 32, 60)
    assert decode_token(access, "k" * 32, "access")["sub"] == "7"  # type: ignore[index]
    assert decode_token(access, "x" * 32, "access") is None  # wrong key
    assert decode_token(access, "k" * 32, "media") is None  # an access token is not a media token
    assert decode_token(create_media_token("s", "k" * 32, -1), "k" * 32, "media") is None  # expired


def test_font_names_map_loosely() -> None:
    fonts = [Font(id="inter", name="Inter"), Font(id="bebas-neue", name="Bebas Neue")]
    assert resolve_font("Montserrat-Bold", fonts) == "inter"
    assert resolve_font("Bebas Neue", fonts) == "bebas-neue"
    assert resolve_font("bebas_neue", fonts) == "bebas-neue"
    assert resolve_font("Inter-Bold", fonts) == "inter"
    assert resolve_font("Comic Sans", fonts) is None


def test_plain_address_lists_become_ipv4_targets() -> None:
    assert channel_target("127.0.0.1:1,127.0.0.1:2") == "ipv4:127.0.0.1:1,127.0.0.1:2"
    assert channel_target("dns:///image-gen.adreel.svc.cluster.local:50052").startswith("dns:///")
    assert channel_target("127.0.0.1:50052") == "127.0.0.1:50052"
