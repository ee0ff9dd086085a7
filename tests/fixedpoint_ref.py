"""Scalar transcriptions of TFLite's integer rescaling rules, one Python int at a time: the
references the vectorized fixed-point code and the integer kernels are tested against."""

from __future__ import annotations

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def c_div(a: int, b: int) -> int:
    """C++ integer division: truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def srdhm_ref(a: int, b: int) -> int:
    """gemmlowp's SaturatingRoundingDoublingHighMul."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    return c_div(ab + nudge, 1 << 31)


def rdbpot_ref(x: int, e: int) -> int:
    """gemmlowp's RoundingDivideByPOT."""
    mask = (1 << e) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if remainder > threshold else 0)


def wrap32(v: int) -> int:
    return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def mbqm_ref(x: int, m: int, shift: int) -> int:
    """TFLite's MultiplyByQuantizedMultiplier (the left shift wraps to int32)."""
    left, right = max(shift, 0), max(-shift, 0)
    return rdbpot_ref(srdhm_ref(wrap32(x * (1 << left)), m), right)


def mbqm64_ref(x: int, m: int, shift: int) -> int:
    """TFLite's MultiplyByQuantizedMultiplier for int64 inputs (int16x8 kernels): the
    multiplier reduced to 16 bits (rounded), one rounding right shift by 15 - shift, the
    result narrowed to int32."""
    reduced = (m + (1 << 15)) >> 16 if m < 0x7FFF0000 else 0x7FFF
    total = 15 - shift
    return wrap32((x * reduced + (1 << (total - 1))) >> total)
