"""The WebSocket hub's memory follows its recent sessions, not every session it ever served."""

from __future__ import annotations

from gateway.progress import LATEST_KEPT, ProgressHub


def _publish(hub: ProgressHub, session_id: str, type: str = "progress") -> None:
    hub.publish(session_id, type=type, stage="s", session_stage="s", progress=1, message="m")


def test_latest_state_is_kept_for_recent_sessions_only() -> None:
    hub = ProgressHub()
    for n in range(LATEST_KEPT + 10):
        _publish(hub, f"s{n}")
    assert hub.latest("s0") is None  # the oldest fell out; its snapshot comes from the database
    assert hub.latest(f"s{LATEST_KEPT + 9}") is not None
    _publish(hub, "s10")  # touched again: now the newest, so it survives the next evictions
    for n in range(LATEST_KEPT - 1):
        _publish(hub, f"t{n}")
    assert hub.latest("s10") is not None and hub.latest("s11") is None


def test_a_warning_does_not_replace_the_session_state() -> None:
    hub = ProgressHub()
    _publish(hub, "s1")
    _publish(hub, "s1", type="warning")
    latest = hub.latest("s1")
    assert latest is not None and latest.type == "progress"
