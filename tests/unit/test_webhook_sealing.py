"""Webhook sealing keys: what is not a 32-byte base64 key is refused by the setting's name."""

from __future__ import annotations

import pytest

from gateway.webhooks.sealing import new_key, parse_key


def test_keys_are_checked() -> None:
    for bad in ("", "c2hvcnQ=", "not base64 at all!"):
        with pytest.raises(ValueError, match="webhook_keys"):
            parse_key(bad)
    assert len(parse_key(new_key())) == 32
