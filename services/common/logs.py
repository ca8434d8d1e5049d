"""Structured (JSON) logs on stderr for every service, each line with the current trace and span id."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from services.common.telemetry import current_ids


class TraceContextFilter(logging.Filter):
    """Adds `trace_id` and `span_id` (hex, "" outside a span) to every record, so a log search and
    the trace view of a collector find each other."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in current_ids().items():
            setattr(record, key, value)
        return True


def json_handler(service: str, stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
        )
    )
    # On the handler, not a logger: records of every logger pass through it.
    handler.addFilter(TraceContextFilter())
    return handler


def configure_logging(service: str, level: str = "INFO") -> logging.Logger:
    root = logging.getLogger()
    root.handlers[:] = [json_handler(service)]
    root.setLevel(level.upper())
    return logging.getLogger(service)
