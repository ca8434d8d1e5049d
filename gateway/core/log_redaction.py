"""Credentials never reach the logs: the values of credential-like query parameters (`token`,
`ticket`, `secret`, `password`, `*key`, `signature`, ...) and share tokens in paths (`/s/<token>`,
`/api/shares/<token>`, `/share-media/<token>`) are masked in the server's log lines.

The server percent-decodes a request target before it reads it, so `?%74oken=` is a token too: a
line is judged after decoding (repeatedly, for double encodings), and when anything is masked the
decoded, masked line is what gets logged. A logger's filters only see that logger's own records, so
the filter is attached to each uvicorn logger by name.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

# name=value in a query string; the name is judged by what it says, not by how it is spelled.
_PARAM = re.compile(r"([?&;])([^=&;\s\"'#?]+)=([^&;\s\"'#]*)")
_CREDENTIAL = re.compile(
    r"token|ticket|secret|passw|pwd|jwt|signature|credential|auth|apikey|api[_-]key|"
    r"(^|[_.-])(key|sig|code)$|^(key|sig|code)([_.-]|$)",
    re.IGNORECASE,
)
_SHARE = re.compile(r"(/(?:s|api/shares|share-media)/)[A-Za-z0-9_\-]{16,}")
# A personal API key (gateway/api_keys.py) wherever it appears: a path, a query, a message.
_API_KEY = re.compile(r"\badr_[A-Za-z0-9_\-]{20,}")
LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
MAX_DECODES = 4


def _decoded(text: str) -> str:
    for _ in range(MAX_DECODES):
        once = unquote_plus(text) if "%" in text or "+" in text else text
        if once == text:
            break
        text = once
    return text


def is_credential(name: str) -> bool:
    return bool(_CREDENTIAL.search(_decoded(name).strip()))


def _mask(text: str) -> str:
    def param(m: re.Match[str]) -> str:
        sep, name, value = m.groups()
        return f"{sep}{name}=[redacted]" if value and is_credential(name) else m.group(0)

    return _API_KEY.sub("adr_[redacted]", _SHARE.sub(r"\1[redacted]", _PARAM.sub(param, text)))


def redact(text: str) -> str:
    """The line unchanged when it holds no credential, else decoded with every credential masked."""
    decoded = _decoded(text)
    masked = _mask(decoded)
    return masked if masked != decoded else text


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_log_redaction() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
