"""Shared path of the broadcasting binary ops (ADD, SUB, MUL, DIV, comparisons, ...).

TFLite requires both inputs to have one dtype, broadcasts them numpy-style and writes an output
of the broadcast shape. Its fused activation is only a clamp (``CalculateActivationRange``):
RELU, RELU6 and RELU_N1_TO_1 clamp, while TANH and SIGN_BIT leave the result as it is (LiteRT
checked: ADD with fused TANH returns the plain sum).
"""

from __future__ import annotations

import numpy as np

from edgelite.errors import InvokeError
from edgelite.interpreter.kernels._unary import expect_inputs
from edgelite.interpreter.kernels.common import apply_activation, broadcast_shape

_CLAMPS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")
_IGNORED = ("TANH", "SIGN_BIT")  # TFLite's clamp range for these is the whole type


def broadcast_inputs(ctx, infos) -> tuple:
    """Broadcast shape of the ``TensorInfo`` list ``infos``, or a model error naming them."""
    try:
        return broadcast_shape(*[t.shape for t in infos])
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in infos)
        raise ctx.error(f"input shapes {shapes} do not broadcast") from None


def fused_clamp(ctx) -> str:
    """The op's fused activation as the clamp TFLite applies: NONE, RELU, RELU6, RELU_N1_TO_1."""
    act = ctx.opt("fused_activation_function", "NONE") or "NONE"
    if act in _IGNORED:
        return "NONE"
    if act not in _CLAMPS:
        raise ctx.error(f"unknown fused activation {act}")
    return act


def prepare_binary(ctx, ufunc, fused: bool = True, out_dtype=None, quiet: bool = False):
    """Prepare a broadcasting elementwise op computed by ``ufunc(a, b, out=...)``.

    ``out_dtype`` defaults to the inputs' dtype (comparisons pass bool); ``quiet`` silences
    numpy's floating-point warnings for ops that legitimately make inf/nan (x / 0).
    """
    a, b = expect_inputs(ctx, 2)
    if a.dtype != b.dtype:
        raise ctx.error(f"inputs have different dtypes {a.dtype} and {b.dtype}")
    ctx.set_output(0, broadcast_inputs(ctx, (a, b)), out_dtype or a.dtype)
    act = fused_clamp(ctx) if fused else "NONE"

    def run(ins, outs):
        ufunc(ins[0], ins[1], out=outs[0])
        if act != "NONE":
            apply_activation(outs[0], act)

    if not quiet:
        return run

    def run_quiet(ins, outs):
        with np.errstate(all="ignore"):
            run(ins, outs)

    return run_quiet


def guard_second_input(ctx, run, bad, message: str):
    """Make ``run`` raise ``InvokeError`` when ``bad(second input)``, as TFLite's kernels fail
    at invoke.

    A constant second input is checked once here instead (and is a model error).
    """
    b = ctx.inputs[1]
    if b.data is not None:
        if bad(b.data):
            raise ctx.error(f"constant second input: {message}")
        return run

    def guarded(ins, outs):
        if bad(ins[1]):
            raise InvokeError(f"{ctx.location}: {message}")
        run(ins, outs)

    return guarded


def guard_divisor(ctx, run):
    """Make ``run`` fail on a zero divisor (second input), as TFLite's kernels do."""
    return guard_second_input(ctx, run, _has_zero, "division by zero")


def _has_zero(b) -> bool:
    return not np.all(b)
