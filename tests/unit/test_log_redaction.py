"""Tokens never reach a log line: query tokens and the capability tokens of share links."""

from __future__ import annotations

import pytest

from gateway.core.log_redaction import redact

SECRET = "Zk3v_Q9-abcdefghijklmnopqrstuvwxyz012345"


@pytest.mark.parametrize(
    "line",
    [
        f'127.0.0.1 - "GET /media/sessions/x/a.png?token={SECRET} HTTP/1.1" 200',
        f'127.0.0.1 - "GET /ws/abc?x=1&token={SECRET} HTTP/1.1" 101',
        f'127.0.0.1 - "GET /api/shares/{SECRET} HTTP/1.1" 200',
        f'127.0.0.1 - "GET /share-media/{SECRET}/poster HTTP/1.1" 206',
        f'127.0.0.1 - "GET /s/{SECRET} HTTP/1.1" 200',
    ],
)
def test_tokens_are_masked(line: str) -> None:
    masked = redact(line)
    assert SECRET not in masked and "[redacted]" in masked


def test_ordinary_paths_are_left_alone() -> None:
    line = '127.0.0.1 - "GET /api/sessions/5d1c3c7e-1f0e-4f53-a7e4-3b7f4a1c9e21/shares HTTP/1.1" 200'
    assert redact(line) == line
