"""Bidirectional levels of a line (the Unicode Bidirectional Algorithm) from GNU FriBiDi.

FriBiDi is the library Pillow's libraqm layout already needs at run time (Debian's libfribidi0), so
the runs cut for font fallback are ordered by the same algorithm that raqm applies inside each run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

# fribidi-types.h / fribidi-char-types.h: FriBidiParType values.
_PAR_ON = 0x00000040  # neutral: the paragraph takes the direction of its first strong character
_PAR_LTR = 0x00000110
_PAR_RTL = 0x00000111


@cache
def _lib() -> ctypes.CDLL:
    name = ctypes.util.find_library("fribidi") or "libfribidi.so.0"
    lib = ctypes.CDLL(name)
    u32p = ctypes.POINTER(ctypes.c_uint32)
    lib.fribidi_get_bidi_types.argtypes = [u32p, ctypes.c_int, u32p]
    lib.fribidi_get_bidi_types.restype = None
    lib.fribidi_get_bracket_types.argtypes = [u32p, ctypes.c_int, u32p, u32p]
    lib.fribidi_get_bracket_types.restype = None
    lib.fribidi_get_par_embedding_levels_ex.argtypes = [
        u32p,
        u32p,
        ctypes.c_int,
        u32p,
        ctypes.POINTER(ctypes.c_int8),
    ]
    lib.fribidi_get_par_embedding_levels_ex.restype = ctypes.c_int8
    return lib


def available() -> bool:
    try:
        _lib()
    except OSError:
        return False
    return True


def levels(text: str, rtl: bool | None = None) -> tuple[int, list[int]]:
    """(paragraph level, one embedding level per character): odd levels run right to left.

    `rtl` forces the paragraph direction; None takes it from the first strong character.
    """
    n = len(text)
    if n == 0:
        return (1 if rtl else 0), []
    lib = _lib()
    chars = (ctypes.c_uint32 * n)(*(ord(c) for c in text))
    types = (ctypes.c_uint32 * n)()
    brackets = (ctypes.c_uint32 * n)()
    out = (ctypes.c_int8 * n)()
    lib.fribidi_get_bidi_types(chars, n, types)
    lib.fribidi_get_bracket_types(chars, n, types, brackets)
    par = ctypes.c_uint32(_PAR_ON if rtl is None else (_PAR_RTL if rtl else _PAR_LTR))
    if lib.fribidi_get_par_embedding_levels_ex(types, brackets, n, ctypes.byref(par), out) == 0:
        raise RuntimeError("fribidi could not resolve the text's levels")
    return (1 if par.value == _PAR_RTL else 0), list(out)


def visual_order(run_levels: list[int]) -> list[int]:
    """Indexes of runs (logical order, one level each) in the order they are drawn, left to right
    (rule L2: reverse every sequence at each level, from the highest to the lowest odd level)."""
    order = list(range(len(run_levels)))
    if not order:
        return order
    top = max(run_levels)
    lowest_odd = min((lv for lv in run_levels if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if run_levels[order[i]] >= level:
                j = i
                while j < len(order) and run_levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order
