"""Webhook signatures against the Standard Webhooks reference, and which targets are refused."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from gateway.webhooks.signing import SECRET_PREFIX, new_message_id, new_secret, sign, signed_headers
from gateway.webhooks.targets import TargetRefused, check_url, resolve_target


def test_signature_matches_the_reference_vector() -> None:
    # libraries/python/tests/test_webhooks.py::test_sign_function in standard-webhooks/standard-webhooks.
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_reference_library_verifies_our_headers_and_refuses_tampering() -> None:
    secret, msg_id, body = new_secret(), new_message_id(), '{"type":"stage.completed","data":{"x":"é"}}'
    assert secret.startswith(SECRET_PREFIX) and len(base64.b64decode(secret[6:])) == 32
    assert "." not in msg_id
    headers = signed_headers(secret, msg_id, int(datetime.now(UTC).timestamp()), body)
    assert Webhook(secret).verify(body, headers)["data"]["x"] == "é"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("completed", "failed"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    old = signed_headers(secret, msg_id, int(datetime.now(UTC).timestamp()) - 3600, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, old)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://example.com/hook", "http"),
        ("javascript:alert(1)", "http"),
        ("https://user:pw@example.com/hook", "credentials"),
        ("https://@example.com/hook", "credentials"),
        ("https:///nohost", "host"),
        ("https://exa mple.com/", "spaces"),
        ("http://example.com:99999/", "valid URL"),
    ],
)
def test_url_shape_refusals(url: str, why: str) -> None:
    with pytest.raises(TargetRefused, match=why):
        check_url(url)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://100.64.0.1/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://0.0.0.0/hook", "unspecified"),
    ],
)
async def test_non_public_targets_are_refused(url: str, kind: str) -> None:
    with pytest.raises(TargetRefused, match=kind):
        await resolve_target(url, allow_private=False)


async def test_allowed_private_target_is_pinned_to_the_checked_address() -> None:
    target = await resolve_target("http://localhost:8123/hook?x=1#frag", allow_private=True)
    assert target.address in ("127.0.0.1", "::1")
    host = "127.0.0.1" if target.address == "127.0.0.1" else "[::1]"
    assert target.pinned_url == f"http://{host}:8123/hook?x=1"
    assert target.host_header == "localhost:8123" and target.sni_hostname is None
    public = await resolve_target("https://8.8.8.8/hook", allow_private=False)
    assert public.pinned_url == "https://8.8.8.8/hook" and public.sni_hostname == "8.8.8.8"
    # Multicast is never a receiver, allowed or not.
    with pytest.raises(TargetRefused, match="multicast"):
        await resolve_target("http://224.0.0.1/", allow_private=True)
