"""HARD_SWISH: x * relu6(x + 3) / 6 elementwise (TFLite ``hard_swish``).

The operations run in the reference kernel's order so float32 rounding matches it.

int8/uint8 (``reference_ops::HardSwish``): int16 fixed point. The input, offset and shifted
left 7 bits, is scaled to the output (a Q15 multiplier and right shift) and, separately, to a
"reluish" value in [-1, 1] = relu6(x + 3) / 6 * 2 - 1 at scale 3/32768; their product (a
truncating doubling high multiply) is rounding-shifted into the output. Computed once for all
256 inputs.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._quantized import F32, finish_unary, qrange, unary_params, wrap
from edgelite.interpreter.kernels._unary import prepare_unary
from edgelite.interpreter.kernels.fixedpoint import quantize_multiplier, rounding_divide_by_pot
from edgelite.interpreter.kernels.registry import kernel


def hard_swish(x, out):
    np.add(x, 3.0, out=out)
    np.clip(out, 0.0, 6.0, out=out)
    np.multiply(out, x, out=out)
    np.divide(out, 6.0, out=out)


@kernel("HARD_SWISH", "float")
def prepare_hard_swish(ctx):
    return prepare_unary(ctx, hard_swish)


def _q15_multiplier(real) -> tuple:
    """QuantizeMultiplier, then ``DownScaleInt32ToInt16Multiplier``: (Q15 multiplier, shift)."""
    m, shift = quantize_multiplier(float(real))
    return (32767 if m >= (1 << 31) - 1 - (1 << 15) else (m + (1 << 15)) >> 16), shift


def _high_mul16(a, b, rounding: bool):
    """int16 doubling high multiply; gemmlowp's rounding one or TFLite's truncating one."""
    ab = a * b
    if rounding:
        ab = ab + np.where(ab >= 0, 1 << 14, 1 - (1 << 14))
    q = np.where(ab >= 0, ab >> 15, -((-ab) >> 15))  # C division truncates
    return np.where((a == -32768) & (b == -32768), 32767, wrap(q, 16))


def _shift_left16(x, amount: int):
    return np.clip(x << amount, -32768, 32767)


@kernel("HARD_SWISH", "int8", "uint8")
def prepare_hard_swish_quantized(ctx):
    x, s_in, z_in, s_out, z_out = unary_params(ctx)
    hires = F32(1.0 / 128.0) * s_in
    m_out, e_out = _q15_multiplier(hires / s_out)
    if e_out > 0:
        raise ctx.error(f"output scale {s_out} is too small for the input scale {s_in}")
    m_rel, e_rel = _q15_multiplier(hires / F32(3.0 / 32768.0))
    lo, hi = qrange(x.dtype)

    def fn(q):
        v = wrap((q - z_in) << 7, 16)
        scaled = _high_mul16(v, m_out, True)
        rel = _shift_left16(v, e_rel - 1) if e_rel > 0 else v
        rel = _high_mul16(rel, m_rel, True)
        if e_rel > 0:
            rel = _shift_left16(rel, 1)
        elif e_rel < 0:
            rel = rounding_divide_by_pot(rel, -e_rel)
        rel = (rel + (1 << 15)) >> 1
        y = rounding_divide_by_pot(_high_mul16(rel, scaled, False), -e_out)
        return np.clip(wrap(y + z_out, 16), lo, hi)

    return finish_unary(x.dtype, fn)
