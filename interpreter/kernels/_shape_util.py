"""Helpers shared by the shape and data-movement kernels (RESHAPE, SLICE, PAD, GATHER, ...).

They read small integer operands (shapes, axes, paddings) that decide output shapes, normalise
negative axes the way TFLite does, and check what TFLite's Prepare functions check, turning every
problem into ``ctx.error`` (an InvalidModelError naming the op) instead of a numpy IndexError.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.context import NeedsData


def int_operand(ctx, i: int, what: str) -> np.ndarray:
    """The value of integer input ``i`` as an int64 array; NeedsData if it is not known yet.

    Output shapes depend on these values, so a non-constant operand makes the op re-prepare
    before every invoke (the interpreter then passes the values in ``TensorInfo.data``).
    """
    t = ctx.inputs[i] if i < len(ctx.inputs) else None
    if t is None:
        raise ctx.error(f"missing {what} input (input {i})")
    if not np.issubdtype(np.dtype(t.dtype), np.integer):
        raise ctx.error(f"{what} must be an integer tensor, got {np.dtype(t.dtype).name}")
    if t.data is None:
        raise NeedsData(f"{ctx.op_name}: {what} is computed at run time")
    return np.asarray(t.data).astype(np.int64)


def int_vector(ctx, i: int, what: str, length: int = None) -> list:
    """A 1-D integer operand as a list of Python ints (of ``length`` entries if given)."""
    t = ctx.inputs[i] if i < len(ctx.inputs) else None
    if t is not None and len(t.shape) != 1:
        raise ctx.error(f"{what} must be 1-D, got shape {tuple(t.shape)}")
    values = int_operand(ctx, i, what).reshape(-1).tolist()
    if length is not None and len(values) != length:
        raise ctx.error(f"{what} has {len(values)} entries, expected {length}")
    return values


def int_scalar(ctx, i: int, what: str) -> int:
    """A one-element integer operand (TFLite accepts shape () or (1,)) as a Python int."""
    v = int_operand(ctx, i, what).reshape(-1)
    if v.size != 1:
        raise ctx.error(f"{what} must hold exactly one value, got {v.size}")
    return int(v[0])


def pad_matrix(ctx, i: int, rank: int, what: str = "paddings") -> list:
    """A [rank, 2] integer operand (paddings, crops) as a list of (before, after) pairs."""
    t = ctx.inputs[i] if i < len(ctx.inputs) else None
    if t is not None and tuple(t.shape) != (rank, 2):
        raise ctx.error(f"{what} must have shape ({rank}, 2), got {tuple(t.shape)}")
    m = int_operand(ctx, i, what).reshape(rank, 2)
    return [(int(a), int(b)) for a, b in m]


def option_ints(ctx, name: str) -> list:
    """A vector option (``new_shape``, ``squeeze_dims``) as a list of ints; [] when absent."""
    v = ctx.opt(name, None)
    return [] if v is None else [int(x) for x in np.asarray(v).reshape(-1)]


def norm_axis(ctx, axis: int, rank: int, what: str = "axis") -> int:
    """``axis`` in [-rank, rank) mapped to [0, rank)."""
    if not -rank <= axis < rank:
        raise ctx.error(f"{what} {axis} is out of range for a rank-{rank} tensor")
    return axis + rank if axis < 0 else axis


def same_dtype(ctx, inp: int = 0, out: int = 0) -> None:
    """Data-movement ops copy bytes: the output must have the input's dtype."""
    a, b = np.dtype(ctx.inputs[inp].dtype), np.dtype(ctx.outputs[out].dtype)
    if a != b:
        raise ctx.error(f"output {out} is {b.name} but input {inp} is {a.name}; they must match")


def same_quant(ctx, a, b, what: str) -> None:
    """TFLite refuses some data-movement ops whose tensors' scales/zero points differ."""
    qa, qb = a.quant, b.quant
    if qa is None or qb is None:
        return
    if not (np.array_equal(qa.scale, qb.scale) and np.array_equal(qa.zero_point, qb.zero_point)):
        raise ctx.error(f"{what}: input and output quantization must match (no requantization)")


def zero_value(ctx, out: int = 0):
    """The value that means 0 in output ``out``: its zero point when quantized, else 0."""
    q = ctx.outputs[out].quant
    dtype = np.dtype(ctx.outputs[out].dtype)
    if q is None or q.zero_point.size == 0:
        return dtype.type(0)
    zp = int(q.zero_point.reshape(-1)[0])
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        if not info.min <= zp <= info.max:
            raise ctx.error(f"zero point {zp} does not fit the output's {dtype.name}")
    return dtype.type(zp)


def copy_run(shape):
    """run() of the ops that only change the shape: one copy, viewed as ``shape``."""
    shape = tuple(shape)

    def run(ins, outs):
        np.copyto(outs[0], ins[0].reshape(shape))

    return run


def split_run(ctx, value_index: int, axis: int, sizes):
    """Set one output per entry of ``sizes`` along ``axis`` and return the copying run."""
    shape = tuple(ctx.inputs[value_index].shape)
    where, start = [], 0
    for i, size in enumerate(sizes):
        same_dtype(ctx, value_index, i)
        ctx.set_output(i, shape[:axis] + (size,) + shape[axis + 1 :])
        where.append((slice(None),) * axis + (slice(start, start + size),))
        start += size

    def run(ins, outs):
        x = ins[value_index]
        for w, o in zip(where, outs):
            o[...] = x[w]

    return run


def block_operands(ctx, second: str):
    """block_shape and the [M, 2] paddings/crops, M = rank - 2, validated."""
    same_dtype(ctx)
    same_quant(ctx, ctx.inputs[0], ctx.outputs[0], ctx.op_name)
    shape = tuple(ctx.inputs[0].shape)
    m = len(shape) - 2
    if m < 1:
        raise ctx.error(f"input must have rank >= 3 (batch, spatial..., depth), got {shape}")
    block = int_vector(ctx, 1, "block_shape", m)
    pads = pad_matrix(ctx, 2, m, second)
    if any(b < 1 for b in block) or any(a < 0 or b < 0 for a, b in pads):
        raise ctx.error(f"block_shape {block} must be >= 1 and {second} {pads} >= 0")
    return shape, m, block, pads


def check_indices(ctx, idx: np.ndarray, limit: int, what: str = "index") -> None:
    """TFLite's rule: every index in [0, limit)."""
    if idx.size and (idx.min() < 0 or idx.max() >= limit):
        bad = idx[(idx < 0) | (idx >= limit)].reshape(-1)[0]
        raise ctx.error(f"{what} {bad} is out of range [0, {limit})")
