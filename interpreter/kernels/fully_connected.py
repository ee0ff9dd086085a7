"""FULLY_CONNECTED: ``input.reshape(-1, in) @ weights.T + bias`` (TFLite ``fully_connected``).

Weights are [out, in]; the input is flattened to [size / in, in]. With ``keep_num_dims`` the
output keeps the input's leading dimensions ([..., out]; the input's last dimension must then
be ``in``), otherwise it is [size / in, out]. Only the DEFAULT weights format exists for float
(SHUFFLED4x16INT8 is an int8 weights layout).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._conv_util import activate, check_activation, constant_f32, rows
from edgelite.interpreter.kernels.registry import kernel


def output_shape(ctx, in_shape, units: int, depth: int) -> tuple:
    size = int(np.prod(in_shape, dtype=np.int64))
    if depth < 1 or size % depth:
        raise ctx.error(f"input of shape {tuple(in_shape)} does not flatten into rows of {depth}")
    if ctx.opt("keep_num_dims", False):
        if not in_shape or in_shape[-1] != depth:
            raise ctx.error(
                f"keep_num_dims needs the input's last dimension ({tuple(in_shape)}) to be {depth}"
            )
        return (*in_shape[:-1], units)
    return (size // depth, units)


@kernel("FULLY_CONNECTED", "float")
def prepare_fully_connected(ctx):
    x, w = ctx.inputs[0], ctx.inputs[1]
    b = ctx.inputs[2] if len(ctx.inputs) > 2 else None
    fmt = ctx.opt("weights_format", "DEFAULT")
    if fmt not in ("DEFAULT", 0):
        raise ctx.error(f"weights_format {fmt} is an int8 layout; float needs DEFAULT")
    if len(w.shape) != 2:
        raise ctx.error(f"weights must be 2-D [out, in], got shape {w.shape}")
    units, depth = (int(d) for d in w.shape)
    if b is not None and int(np.prod(b.shape)) != units:
        raise ctx.error(f"bias shape {b.shape} does not match {units} output units")
    act = ctx.opt("fused_activation_function", "NONE")
    check_activation(ctx, act, clamps_only=True)  # TFLite's float FC refuses TANH/SIGN_BIT
    shape = output_shape(ctx, tuple(x.shape), units, depth)
    ctx.set_output(0, shape)
    batch = int(np.prod(shape[:-1], dtype=np.int64))

    wt = constant_f32(w)
    wt = None if wt is None else np.ascontiguousarray(wt.T)
    bias = constant_f32(b)
    bias = None if bias is None else bias.reshape(units)

    def run(ins, outs):
        out = rows(outs[0], (batch, units))
        weights = ins[1].T if wt is None else wt
        np.matmul(ins[0].reshape(batch, depth), weights, out=out)
        if bias is not None:
            np.add(out, bias, out=out)
        elif b is not None and ins[2] is not None:
            np.add(out, ins[2].reshape(units), out=out)
        activate(out, act)

    return run
