"""Data movement: reshapes, transposes, concat/split/slice/gather, tile/expand, depth<->space.

A reshape keeps a permuted input as is when the dims it merges or splits stay together and in
order in the IR tensor (a 1x1 NHWC map flattened in a CNN head, NHWC [N,H,W,C] reshaped as NCHW
to [N,C,H*W], which becomes [N,H*W,C] held permuted); otherwise one TRANSPOSE gathers them. ONNX
Transposes change only the recorded layout and emit nothing until an op needs the ONNX order.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.layout import (
    after_transpose,
    channels_last,
    drop_axes,
    identity,
    ir_axis,
    is_identity,
    keeps_memory_order,
    permute,
    reshape_layout,
    reshape_source_layout,
)
from edgelite.converter.importers.onnx.ops._common import (
    common_layout,
    require,
    reshape,
)
from edgelite.converter.importers.onnx.registry import register
from edgelite.converter.importers.onnx.values import Value


def reshape_output(cx, x, out_shape) -> None:
    """Bind output 0 to ``x`` reshaped to ONNX ``out_shape``, moving data only if needed."""
    out_shape = tuple(out_shape)
    nhwc = channels_last(4)
    perm = reshape_layout(x.shape, x.perm, out_shape)
    if perm is None:  # merged dims are scattered in the IR tensor: one TRANSPOSE gathers them
        perm = nhwc if len(out_shape) == 4 else identity(len(out_shape))
        source = reshape_source_layout(x.shape, out_shape, perm)
        if source is None:
            source, perm = identity(x.rank), identity(len(out_shape))
        t = cx.t(x, source)
    else:
        t = cx.t(x)
    if is_identity(perm) and len(out_shape) == 4 and keeps_memory_order(nhwc, out_shape):
        perm = nhwc  # free, and what the convolutions that follow want
    dyn = cx.out_info[0][2]
    dyn0 = bool(dyn[perm[0]]) if dyn else None
    cx.set_output(0, reshape(cx, t, permute(out_shape, perm), dyn0=dyn0), perm)


@register("Reshape", inputs=(1, 2), attrs={"allowzero": 0, "shape": None})
def reshape_(cx):
    shape = cx.attr("shape") if cx.opset < 5 else cx.const_input(1, "shape")
    require(not (cx.attr("allowzero") and 0 in list(shape)), "allowzero=1 with a 0 dim")
    reshape_output(cx, cx.input(0), cx.out_shape())


@register("Flatten", attrs={"axis": 1})
def flatten(cx):
    reshape_output(cx, cx.input(0), cx.out_shape())


@register("Squeeze", inputs=(1, 2), attrs={"axes": None})
@register("Unsqueeze", inputs=(1, 2), attrs={"axes": None})
def squeeze(cx):
    """Size-1 dims come and go by a RESHAPE in whatever layout the input has."""
    reshape_output(cx, cx.input(0), cx.out_shape())


@register("Transpose", attrs={"perm": None})
def transpose_(cx):
    """No op: the output is the same IR tensor in another recorded layout."""
    x = cx.input(0)
    p = tuple(cx.attr("perm") or reversed(range(x.rank)))
    shape = permute(x.shape, p)
    perm = after_transpose(x.perm, p)
    cx.set_value(
        0,
        Value(cx.node.output[0], shape, x.dtype, tensor=x.tensor, perm=perm, dyn=permute(x.dyn, p)),
    )


@register("Concat", inputs=(1, None), attrs={"axis": None})
def concat(cx):
    values = [v for v in cx.inputs if v is not None and 0 not in v.shape]
    rank = values[0].rank
    axis = int(cx.attr("axis")) % rank
    if len(values) == 1:
        return cx.set_value(0, values[0])
    perm = common_layout(values, rank)
    tensors = [cx.t(v, perm) for v in values]
    cx.emit_output(
        "CONCATENATION", tensors, perm, axis=ir_axis(perm, axis), fused_activation_function="NONE"
    )


@register(
    "Split", inputs=(1, 2), outputs=(1, None), attrs={"axis": 0, "split": None, "num_outputs": None}
)
def split(cx):
    x = cx.input(0)
    axis = int(cx.attr("axis")) % x.rank
    n = len(cx.node.output)
    sizes = cx.attr("split")
    if sizes is None and cx.input(1) is not None:
        sizes = cx.const_input(1, "split")
    size = x.shape[axis]
    if sizes is None:
        chunk = -(-size // n)
        sizes = [min(chunk, size - k * chunk) for k in range(n)]
    sizes = [int(s) for s in np.asarray(sizes).reshape(-1)]
    pos = ir_axis(x.perm, axis)
    outs = []
    for k, s in enumerate(sizes):
        shape = list(x.ir_shape)
        shape[pos] = s
        outs.append(cx.tmp(f"out{k}", shape, x.dtype))
    axis_t = cx.const(np.asarray(pos, np.int32), "axis")
    if len(set(sizes)) == 1:
        cx.emit("SPLIT", [axis_t, cx.t(x)], outs, num_splits=n)
    else:
        sizes_t = cx.const(np.asarray(sizes, np.int32), "sizes")
        cx.emit("SPLIT_V", [cx.t(x), sizes_t, axis_t], outs, num_splits=n)
    for k, out in enumerate(outs):
        if cx.node.output[k]:
            cx.set_output(k, out, x.perm)


@register("Slice", inputs=(1, 5), attrs={"starts": None, "ends": None, "axes": None})
def slice_(cx):
    """STRIDED_SLICE with ONNX's clamping done at import; untouched dims use the masks."""
    x = cx.input(0)
    if cx.opset < 10:
        starts, ends, axes, steps = cx.attr("starts"), cx.attr("ends"), cx.attr("axes"), None
    else:
        starts, ends = cx.const_input(1, "starts"), cx.const_input(2, "ends")
        axes, steps = cx.const_input(3, "axes"), cx.const_input(4, "steps")
    starts = [int(v) for v in np.asarray(starts).reshape(-1)]
    ends = [int(v) for v in np.asarray(ends).reshape(-1)]
    axes = list(range(len(starts))) if axes is None else [int(a) for a in np.ravel(axes)]
    steps = [1] * len(starts) if steps is None else [int(s) for s in np.ravel(steps)]
    begin, end, stride = [0] * x.rank, [0] * x.rank, [1] * x.rank
    begin_mask = end_mask = (1 << x.rank) - 1
    for a, s, e, st in zip(axes, starts, ends, steps):
        a %= x.rank
        require(st != 0, "a zero slice step")
        b, e = _clamp(s, e, st, x.shape[a])
        pos = ir_axis(x.perm, a)
        begin[pos], end[pos], stride[pos] = b, e, st
        begin_mask &= ~(1 << pos)
        if e >= 0:
            end_mask &= ~(1 << pos)
    inputs = [cx.t(x)] + [
        cx.const(np.asarray(v, np.int32), n)
        for v, n in ((begin, "begin"), (end, "end"), (stride, "strides"))
    ]
    cx.emit_output(
        "STRIDED_SLICE",
        inputs,
        x.perm,
        begin_mask=begin_mask,
        end_mask=end_mask,
        ellipsis_mask=0,
        new_axis_mask=0,
        shrink_axis_mask=0,
        offset=False,
    )


def _clamp(start, end, step, dim):
    """ONNX Slice bounds normalized; end -1 with a negative step means 'through index 0'."""
    start = start + dim if start < 0 else start
    end = end + dim if end < 0 else end
    if step > 0:
        return min(max(start, 0), dim), min(max(end, 0), dim)
    return min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)


@register("Gather", inputs=(2, 2), attrs={"axis": 0})
def gather(cx):
    x, idx = cx.input(0), cx.input(1)
    axis = int(cx.attr("axis")) % x.rank
    if idx.is_const:
        i = np.asarray(idx.const, np.int64)
        i = np.where(i < 0, i + x.shape[axis], i).astype(np.int32)
        it = cx.const(i, "indices")
    else:
        it = cx.t(idx, identity(idx.rank))
    if idx.rank <= 1 and not x.is_const:
        perm = x.perm if idx.rank == 1 else drop_axes(x.perm, [axis])
        data = cx.t(x)
        pos = ir_axis(x.perm, axis)
    else:
        perm = identity(len(cx.out_shape()))
        data = cx.t(x, identity(x.rank))
        pos = axis
    cx.emit_output("GATHER", [data, it], perm, axis=pos, batch_dims=0)


@register("Tile", inputs=(2, 2))
def tile(cx):
    x = cx.input(0)
    reps = [int(r) for r in np.ravel(cx.const_input(1, "repeats"))]
    mult = cx.const(np.asarray(permute(reps, x.perm), np.int32), "multiples")
    cx.emit_output("TILE", [cx.t(x), mult], x.perm)


@register("Expand", inputs=(2, 2))
def expand(cx):
    x = cx.input(0)
    out = cx.out_shape()
    if tuple(out) == x.shape:
        return cx.set_value(0, x)
    perm = x.perm if x.rank == len(out) else identity(len(out))
    t = cx.t(x) if x.rank == len(out) else cx.t(x, identity(x.rank))
    shape = cx.const(np.asarray(permute(out, perm), np.int32), "shape")
    cx.emit_output("BROADCAST_TO", [t, shape], perm)


@register("DepthToSpace", attrs={"blocksize": None, "mode": "DCR"})
def depth_to_space(cx):
    """TFLite's DEPTH_TO_SPACE is DCR on NHWC; CRD first reorders channels with a GATHER."""
    x = cx.input(0)
    require(x.rank == 4, "DepthToSpace needs a 4-D input")
    b = int(cx.attr("blocksize"))
    mode = cx.attr("mode")
    require(mode in ("DCR", "CRD"), f"mode='{mode}'")
    t = cx.t(x, channels_last(4))
    if mode == "CRD":
        c = x.shape[1] // (b * b)
        k = np.arange(x.shape[1])
        order = (k % c) * b * b + k // c  # DCR channel k reads CRD channel order[k]
        t = cx.op(
            "GATHER",
            [t, cx.const(order.astype(np.int32), "dcr_order")],
            [abs(d) for d in t.shape],
            x.dtype,
            suffix="to_dcr",
            axis=3,
            batch_dims=0,
        )
    cx.emit_output("DEPTH_TO_SPACE", [t], channels_last(4), block_size=b)


@register("SpaceToDepth", attrs={"blocksize": None})
def space_to_depth(cx):
    x = cx.input(0)
    require(x.rank == 4, "SpaceToDepth needs a 4-D input")
    t = cx.t(x, channels_last(4))
    cx.emit_output("SPACE_TO_DEPTH", [t], channels_last(4), block_size=int(cx.attr("blocksize")))
