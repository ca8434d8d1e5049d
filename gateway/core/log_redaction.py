"""Credentials never reach the logs: `?token=` query values and share tokens in paths
(`/s/<token>`, `/api/shares/<token>`, `/share-media/<token>`) are masked in the server's log lines.

Browsers cannot send headers on a WebSocket or a <video src>, so those URLs carry the session or
media token in the query string, and uvicorn logs every request target. A logger's filters only
see that logger's own records, so the filter is attached to each uvicorn logger by name.
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"([?&](?:token|access_token|session_token)=)[^&\s\"']+", re.IGNORECASE)
_SHARE = re.compile(r"(/(?:s|api/shares|share-media)/)[A-Za-z0-9_\-]{16,}")
LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def redact(text: str) -> str:
    return _SHARE.sub(r"\1[redacted]", _TOKEN.sub(r"\1[redacted]", text))


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
