"""Shared path of the elementwise one-input ops (ABS, EXP, RELU, LOGISTIC, ...)."""

from __future__ import annotations

import numpy as np


def expect_inputs(ctx, n: int) -> list:
    """The op's first ``n`` inputs, after checking that exactly ``n`` are present."""
    ins = list(ctx.inputs)
    if len(ins) != n or any(t is None for t in ins):
        raise ctx.error(f"expects {n} input(s), got {sum(t is not None for t in ins)}")
    return ins


def prepare_unary(ctx, fn, quiet: bool = False):
    """Prepare an op whose output has its input's shape and dtype: ``fn(x, out=...)``.

    ``quiet`` silences numpy's floating-point warnings (log(0), sqrt(-1), exp overflow): TFLite
    produces inf/nan there without complaint, and so do we.
    """
    (x,) = expect_inputs(ctx, 1)
    ctx.set_output(0, x.shape, x.dtype)
    if quiet:

        def run(ins, outs):
            with np.errstate(all="ignore"):
                fn(ins[0], out=outs[0])

        return run

    def run(ins, outs):
        fn(ins[0], out=outs[0])

    return run
