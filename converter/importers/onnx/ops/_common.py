"""Helpers shared by the op families: broadcasting in a common layout, axes, reshapes."""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.layout import (
    identity,
    ir_axis,
    is_identity,
    keeps_memory_order,
    permute,
)
from edgelite.converter.importers.onnx.registry import Unsupported

FLOAT = np.float32


def common_layout(values, rank: int) -> tuple:
    """The layout for an elementwise op: that of its first full-rank permuted runtime input."""
    for v in values:
        if v is not None and not v.is_const and v.rank == rank and not is_identity(v.perm):
            return v.perm
    return identity(rank)


def broadcast_inputs(cx, values, dtype=None) -> tuple:
    """IR tensors for an elementwise op's inputs, all in one layout; returns (tensors, perm).

    Constants are expanded to the output rank, permuted, then stripped of leading 1s (TFLite
    broadcasts like numpy), so a per-channel [C,1,1] constant of an NCHW op becomes [C].
    """
    rank = max(v.rank for v in values)
    perm = common_layout(values, rank)
    # constants may lose leading 1s only while a runtime input still carries the output rank
    keep = 1 if any(not v.is_const and v.rank == rank for v in values) else rank
    tensors = [_in_layout(cx, v, rank, perm, dtype, keep) for v in values]
    if any(t is None for t in tensors):  # a lower-rank input cannot follow: use ONNX layout
        perm = identity(rank)
        tensors = [_in_layout(cx, v, rank, perm, dtype, keep) for v in values]
    return tensors, perm


def const_in_layout(cx, array, rank, perm, suffix, keep=1, dtype=None):
    """A constant broadcast against a rank-``rank`` tensor held in layout ``perm``."""
    c = np.asarray(array, dtype) if dtype is not None else np.asarray(array)
    c = np.transpose(c.reshape((1,) * (rank - c.ndim) + c.shape), perm)
    while c.ndim > keep and c.shape[0] == 1:
        c = c[0]
    return cx.const(np.ascontiguousarray(c), suffix)


def _in_layout(cx, v, rank, perm, dtype, keep):
    if v.is_const:
        return const_in_layout(cx, v.const, rank, perm, _const_suffix(v), keep, dtype)
    if v.rank == rank:
        return cx.t(v, perm)
    if is_identity(perm):
        return cx.t(v, identity(v.rank))
    full = (1,) * (rank - v.rank) + v.shape
    if not is_identity(v.perm) or not keeps_memory_order(perm, full):
        return None
    return reshape(cx, cx.t(v), permute(full, perm), "expand")


def _const_suffix(v) -> str:
    return v.name.rsplit("/", 1)[-1] or "const"


def reshape(cx, tensor, shape, suffix="reshape", dyn0=None):
    """RESHAPE ``tensor`` to IR ``shape``; dim 0 stays dynamic with the batch (-1 in the new
    shape) when ``dyn0`` says so, or by default when both dims 0 are the (size-1) batch."""
    shape = tuple(int(d) for d in shape)
    if tuple(abs(d) for d in tensor.shape) == shape:
        return tensor
    if dyn0 is None:
        dyn0 = bool(tensor.shape and tensor.shape[0] < 0 and shape and shape[0] == 1)
    new_shape = (-1,) + shape[1:] if dyn0 and shape else shape
    out = cx.tmp(suffix, shape, tensor.dtype, dyn0=dyn0)
    shape_t = cx.const(np.asarray(new_shape, np.int32), f"{suffix}/shape")
    return cx.emit("RESHAPE", [tensor, shape_t], [out], new_shape=list(new_shape))


def transpose(cx, tensor, perm, suffix="transpose"):
    perm = tuple(int(p) for p in perm)
    if is_identity(perm):
        return tensor
    shape = permute([abs(d) for d in tensor.shape], perm)
    out = cx.tmp(suffix, shape, tensor.dtype, dyn0=tensor.shape[perm[0]] < 0)
    perm_t = cx.const(np.asarray(perm, np.int32), f"{suffix}/perm")
    return cx.emit("TRANSPOSE", [tensor, perm_t], [out])


def axes_of(cx, value, attr="axes", index=1, default=None) -> list:
    """Normalized ONNX axes from the attribute (older opsets) or a constant input."""
    axes = cx.attr(attr)
    if axes is None and cx.input(index) is not None:
        axes = cx.const_input(index, attr)
    if axes is None:
        return default
    return sorted({int(a) % value.rank for a in np.asarray(axes).reshape(-1)})


def ir_axes(value, axes) -> list:
    return sorted(ir_axis(value.perm, a) for a in axes)


def scalar(cx, value, suffix, dtype=FLOAT):
    return cx.const(np.asarray(value, dtype), suffix)


def require(cond: bool, message: str) -> None:
    if not cond:
        raise Unsupported(message)
