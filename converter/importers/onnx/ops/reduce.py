"""Reductions (Reduce*, ArgMax/ArgMin, TopK) over remapped axes of the input's layout."""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.layout import drop_axes, ir_axis, permute
from edgelite.converter.importers.onnx.ops._common import (
    axes_of,
    ir_axes,
    require,
    reshape,
    transpose,
)
from edgelite.converter.importers.onnx.registry import register

REDUCE = {
    "ReduceMean": (None, "MEAN", None),
    "ReduceSum": (None, "SUM", None),
    "ReduceMax": (None, "REDUCE_MAX", None),
    "ReduceMin": (None, "REDUCE_MIN", None),
    "ReduceProd": (None, "REDUCE_PROD", None),
    "ReduceL1": ("ABS", "SUM", None),
    "ReduceL2": ("SQUARE", "SUM", "SQRT"),
    "ReduceSumSquare": ("SQUARE", "SUM", None),
    "ReduceLogSum": (None, "SUM", "LOG"),
    "ReduceLogSumExp": ("EXP", "SUM", "LOG"),
}
REDUCE_ATTRS = {"axes": None, "keepdims": 1, "noop_with_empty_axes": 0}


@register(*REDUCE, inputs=(1, 2), attrs=REDUCE_ATTRS)
def reduce(cx):
    """[pre-op] -> reduction -> [post-op]; e.g. ReduceL2 is SQUARE, SUM, SQRT."""
    x = cx.input(0)
    axes = axes_of(cx, x)
    if not axes:
        if cx.attr("noop_with_empty_axes"):
            return cx.set_value(0, x)
        axes = list(range(x.rank))
    pre, op_type, post = REDUCE[cx.node.op_type]
    keep = bool(cx.attr("keepdims"))
    t = cx.t(x)
    if pre is not None:
        t = cx.op(pre, [t], x.ir_shape, x.dtype, suffix=pre.lower())
    axes_ir = ir_axes(x, axes)
    perm = x.perm if keep else drop_axes(x.perm, axes)
    shape = [1 if i in axes_ir else d for i, d in enumerate(x.ir_shape)]
    shape = tuple(shape if keep else [d for i, d in enumerate(shape) if i not in axes_ir])
    inputs = [t, cx.const(np.asarray(axes_ir, np.int32), "axes")]
    if post is None:
        return cx.emit_output(op_type, inputs, perm, keep_dims=keep)
    r = cx.op(op_type, inputs, shape, x.dtype, suffix=op_type.lower(), keep_dims=keep)
    cx.emit_output(post, [r], perm)


@register("ArgMax", "ArgMin", attrs={"axis": 0, "keepdims": 1, "select_last_index": 0})
def arg_max(cx):
    require(cx.attr("select_last_index") == 0, "select_last_index=1 is not supported")
    x = cx.input(0)
    axis = int(cx.attr("axis")) % x.rank
    pos = ir_axis(x.perm, axis)
    tfl_op = "ARG_MAX" if cx.node.op_type == "ArgMax" else "ARG_MIN"
    shape = tuple(d for i, d in enumerate(x.ir_shape) if i != pos)
    idx = cx.op(
        tfl_op,
        [cx.t(x), cx.const(np.asarray([pos], np.int32), "axis")],
        shape,
        np.int64,
        suffix=tfl_op.lower(),
        output_type="INT64",
    )
    if cx.attr("keepdims"):
        kept = tuple(1 if i == pos else d for i, d in enumerate(x.ir_shape))
        return cx.set_output(0, reshape(cx, idx, kept, "keepdims"), x.perm)
    cx.set_output(0, idx, drop_axes(x.perm, [axis]))


@register("TopK", inputs=(2, 2), outputs=(2, 2), attrs={"axis": -1, "largest": 1, "sorted": 1})
def top_k(cx):
    """TOPK_V2 works on the last IR axis, largest first; indices come back int32 -> CAST."""
    require(cx.attr("largest") == 1, "largest=0 is not supported (TOPK_V2 takes the largest)")
    x = cx.input(0)
    k = int(np.asarray(cx.const_input(1, "K")).reshape(-1)[0])
    axis = int(cx.attr("axis")) % x.rank
    pos = ir_axis(x.perm, axis)
    order = [i for i in range(x.rank) if i != pos] + [pos]
    t = transpose(cx, cx.t(x), order, "to_last")
    perm = permute(x.perm, order)
    shape = tuple(abs(d) for d in t.shape[:-1]) + (k,)
    values = cx.tmp("values", shape, x.dtype)
    idx = cx.tmp("indices_i32", shape, np.int32)
    cx.emit("TOPK_V2", [t, cx.const(np.asarray(k, np.int32), "k")], [values, idx])
    cx.set_output(0, values, perm)
    idx64 = cx.op(
        "CAST",
        [idx],
        shape,
        np.int64,
        suffix="indices",
        in_data_type="INT32",
        out_data_type="INT64",
    )
    cx.set_output(1, idx64, perm)
