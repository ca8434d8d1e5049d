"""Identifiers that become parts of storage keys: a small safe alphabet, checked at the edge."""

from __future__ import annotations

import re

from services.common.errors import InvalidArgument
from services.common.unique import check_each_once

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,63}")


def check_id(value: str, field: str) -> str:
    if not _ID_RE.fullmatch(value):
        raise InvalidArgument(field, "must be 1-64 characters of letters, digits, '-' or '_'")
    return value


def check_unique_ids(values: list[str], field: str) -> None:
    check_each_once(values, lambda i: f"{field}[{i}].item_id", check_id)
