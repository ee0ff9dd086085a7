"""Shared float path of the broadcasting binary ops (ADD, SUB, MUL, DIV, ...)."""

from __future__ import annotations

from edgelite.interpreter.kernels.common import apply_activation, broadcast_shape


def prepare_binary(ctx, ufunc, fused: bool = True):
    """Prepare a broadcasting elementwise op computed by numpy ``ufunc``."""
    a, b = ctx.inputs[0], ctx.inputs[1]
    try:
        shape = broadcast_shape(a.shape, b.shape)
    except ValueError:
        raise ctx.error(f"input shapes {a.shape} and {b.shape} do not broadcast") from None
    ctx.set_output(0, shape)
    act = ctx.opt("fused_activation_function", "NONE") if fused else "NONE"

    def run(ins, outs):
        ufunc(ins[0], ins[1], out=outs[0])
        apply_activation(outs[0], act)

    return run
