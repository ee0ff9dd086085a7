"""SELECT: pick x where condition else y (TFLite ``select``, version-1 semantics).

x and y have one shape; the condition has that shape too, or is a scalar, or is a vector
choosing whole slices along the first axis. (SELECT_V2 broadcasts instead.)
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.registry import kernel


def check_select_inputs(ctx) -> tuple:
    cond, x, y = expect_inputs(ctx, 3)
    if cond.dtype != np.bool_:
        raise ctx.error(f"condition must be bool, got {cond.dtype}")
    if x.dtype != y.dtype:
        raise ctx.error(f"x and y have different dtypes {x.dtype} and {y.dtype}")
    return cond, x, y


def select_into(cond, x, y, out):
    """out = x where cond else y, bit-exactly for any dtype.

    Blends through an all-ones/all-zeros bit mask: numpy's masked paths (np.where, copyto's
    where=) branch per element and run ~5x slower on the unpredictable masks activations give.
    """
    u = np.dtype(f"u{out.dtype.itemsize}")
    xb, yb, ob = np.asarray(x).view(u), np.asarray(y).view(u), out.view(u)
    np.bitwise_xor(xb, yb, out=ob)
    ob &= np.negative(cond, dtype=u)  # True -> all ones
    ob ^= yb


@kernel("SELECT", "bool")
def prepare_select(ctx):
    cond, x, y = check_select_inputs(ctx)
    if x.shape != y.shape:
        raise ctx.error(f"x and y must have one shape, got {x.shape} and {y.shape}")
    if cond.shape == x.shape or cond.shape == ():
        cond_shape = cond.shape
    elif len(cond.shape) == 1 and len(x.shape) >= 1 and cond.shape[0] == x.shape[0]:
        cond_shape = cond.shape + (1,) * (len(x.shape) - 1)  # one flag per row
    else:
        raise ctx.error(
            f"condition shape {cond.shape} must equal {x.shape}, be a scalar, "
            f"or be a vector of length {x.shape[0] if x.shape else 1}"
        )
    ctx.set_output(0, x.shape, x.dtype)

    def run(ins, outs):
        select_into(ins[0].reshape(cond_shape), ins[1], ins[2], outs[0])

    return run
