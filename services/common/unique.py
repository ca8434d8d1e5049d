"""Lists whose entries may not repeat: each entry checked under its own field name, then refused
(by that field) when an earlier entry already holds the same value."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from services.common.errors import InvalidArgument

T = TypeVar("T", bound=Hashable)


def check_each_once(
    values: Iterable[T],
    field_of: Callable[[int], str],
    check: Callable[[T, str], object],
    label: Callable[[T], str] = repr,
) -> None:
    """`check(value, field)` for each value in order; a value seen before fails as `repeats <label>`."""
    seen: set[T] = set()
    for i, v in enumerate(values):
        field = field_of(i)
        check(v, field)
        if v in seen:
            raise InvalidArgument(field, f"repeats {label(v)}")
        seen.add(v)
