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


@pytest.mark.parametrize(
    "target",
    [
        f"/ws/abc?%74oken={SECRET}",  # the server decodes the name: still `token`
        f"/ws/abc?x=1&%2574oken={SECRET}",  # twice encoded
        f"/ws/abc?TOKEN={SECRET}",
        f"/ws/abc?ticket={SECRET}",
        f"/media/k.mp4?token=public&%74oken={SECRET}",  # one plain, one encoded
        f"/x?access_token={SECRET}",
        f"/x?api_key={SECRET}",
        f"/x?apiKey={SECRET}",
        f"/x?key={SECRET}",
        f"/x?client_secret={SECRET}",
        f"/x?password={SECRET}",
        f"/x?X-Amz-Signature={SECRET}&X-Amz-Credential={SECRET}",
        f"/x?sig={SECRET}",
        f"/x?jwt={SECRET}",
        f"/%73/{SECRET}",  # /s/<share token>, percent-encoded
    ],
)
def test_credentials_are_masked_after_percent_decoding(target: str) -> None:
    masked = redact(f'127.0.0.1 - "GET {target} HTTP/1.1" 200')
    assert SECRET not in masked and "[redacted]" in masked, masked


def test_ordinary_query_parameters_are_left_alone() -> None:
    line = '127.0.0.1 - "GET /api/sessions?limit=20&keyword=shoes&monkey=1&v=final_1 HTTP/1.1" 200'
    assert redact(line) == line
