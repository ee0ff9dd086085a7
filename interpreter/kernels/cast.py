"""CAST: convert a tensor to the output's dtype (TFLite ``cast``, as LiteRT 2.x runs it).

- float -> integer truncates toward zero and saturates at the integer type's limits; nan maps to
  the maximum (LiteRT's saturating conversion).
- integer -> integer wraps modulo 2**bits (C++ static_cast); bool -> number gives 0 / 1.
- anything -> bool is ``x != 0``; anything -> float rounds to nearest.

Type-generic: registered for every family; the output dtype is the one the model declares.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.registry import kernel

_TYPES = {
    np.dtype(t)
    for t in "float16 float32 float64 bool uint8 int8 uint16 int16 uint32 int32 int64".split()
}


def float_to_int(x, out) -> None:
    info = np.iinfo(out.dtype)
    np.copyto(out, x, casting="unsafe")  # out-of-range lanes are overwritten below
    # float(info.max) + 1 and float(info.min) are powers of two (or 0): exact in any float.
    np.copyto(out, info.max, where=(x >= float(info.max) + 1) | np.isnan(x))
    np.copyto(out, info.min, where=x < float(info.min))


def plain_cast(x, out) -> None:
    np.copyto(out, x, casting="unsafe")


@kernel("CAST", "any")
def prepare_cast(ctx):
    (x,) = expect_inputs(ctx, 1)
    src, dst = np.dtype(x.dtype), np.dtype(ctx.outputs[0].dtype)
    for t in (src, dst):
        if t not in _TYPES:
            raise ctx.error(f"cannot cast {src} to {dst}: {t} is not supported")
    ctx.set_output(0, x.shape)
    convert = float_to_int if src.kind == "f" and dst.kind in "iu" else plain_cast

    def run(ins, outs):
        with np.errstate(all="ignore"):  # float overflow to inf (float16) is intended
            convert(ins[0], outs[0])

    return run
