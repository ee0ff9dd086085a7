"""BatchNormalization (MUL + ADD per channel), LayerNormalization and InstanceNormalization
(MEAN/SUB/MUL/RSQRT primitives over the normalized axes, in whatever layout the input has)."""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.layout import channels_last
from edgelite.converter.importers.onnx.ops._common import (
    FLOAT,
    const_in_layout,
    ir_axes,
    require,
    reshape,
)
from edgelite.converter.importers.onnx.registry import register

NONE = {"fused_activation_function": "NONE"}


def _channel_const(c, rank):
    """A per-channel [C] constant shaped to broadcast over dim 1 of a rank-``rank`` tensor."""
    return np.asarray(c, FLOAT).reshape((1, -1) + (1,) * (rank - 2))


@register(
    "BatchNormalization",
    inputs=(5, 5),
    outputs=(1, 5),
    attrs={"epsilon": 1e-5, "momentum": 0.9, "training_mode": 0, "spatial": 1, "is_test": 1},
)
def batch_norm(cx):
    """Inference batch norm: x * s + (B - mean * s) with s = scale / sqrt(var + eps)."""
    require(not cx.attr("training_mode"), "training_mode=1 is not supported")
    require(all(not o for o in cx.node.output[1:]), "running-statistics outputs not supported")
    require(cx.attr("spatial") == 1, "spatial=0 is not supported")
    x = cx.input(0)
    scale, b, mean, var = (
        np.asarray(cx.const_input(i, n), np.float64)
        for i, n in ((1, "scale"), (2, "B"), (3, "mean"), (4, "var"))
    )
    s = scale / np.sqrt(var + float(cx.attr("epsilon")))
    shift = b - mean * s
    rank, perm = x.rank, x.perm
    mul = const_in_layout(cx, _channel_const(s, rank), rank, perm, "scale", dtype=FLOAT)
    add = const_in_layout(cx, _channel_const(shift, rank), rank, perm, "shift", dtype=FLOAT)
    y = cx.op("MUL", [cx.t(x), mul], x.ir_shape, suffix="mul", **NONE)
    cx.emit_output("ADD", [y, add], perm, **NONE)


def normalize(cx, x, axes, eps):
    """(x - mean) * rsqrt(var + eps) over ONNX ``axes``; returns the IR tensor (x's layout)."""
    return normalize_tensor(cx, cx.t(x), x.ir_shape, ir_axes(x, axes), eps)


def normalize_tensor(cx, t, shape, axes_ir, eps):
    """(t - mean) * rsqrt(var + eps) over IR ``axes_ir`` of tensor ``t`` (static ``shape``)."""
    shape = tuple(shape)
    reduced = tuple(1 if i in axes_ir else d for i, d in enumerate(shape))
    axes_t = cx.const(np.asarray(axes_ir, np.int32), "axes")
    mean = cx.op("MEAN", [t, axes_t], reduced, suffix="mean", keep_dims=True)
    d = cx.op("SUB", [t, mean], shape, suffix="centered", **NONE)
    sq = cx.op("MUL", [d, d], shape, suffix="square", **NONE)
    var = cx.op("MEAN", [sq, axes_t], reduced, suffix="var", keep_dims=True)
    ve = cx.op(
        "ADD", [var, cx.const(np.float32(eps), "epsilon")], reduced, suffix="var_eps", **NONE
    )
    r = cx.op("RSQRT", [ve], reduced, suffix="rstd")
    return cx.op("MUL", [d, r], shape, suffix="normalized", **NONE)


def affine(cx, x, y, scale, bias):
    """y * scale + bias with constants broadcast like ONNX against x's shape and layout."""
    rank, perm = x.rank, x.perm
    if scale is not None:
        s = const_in_layout(cx, scale, rank, perm, "scale", dtype=FLOAT)
        last = bias is None
        if last:
            return cx.emit_output("MUL", [y, s], perm, **NONE)
        y = cx.op("MUL", [y, s], x.ir_shape, suffix="scaled", **NONE)
    if bias is not None:
        b = const_in_layout(cx, bias, rank, perm, "bias", dtype=FLOAT)
        return cx.emit_output("ADD", [y, b], perm, **NONE)
    cx.set_output(0, y, perm)


@register(
    "LayerNormalization",
    inputs=(2, 3),
    outputs=(1, 3),
    attrs={"axis": -1, "epsilon": 1e-5, "stash_type": 1},
)
def layer_norm(cx):
    require(all(not o for o in cx.node.output[1:]), "Mean/InvStdDev outputs are not supported")
    x = cx.input(0)
    axis = int(cx.attr("axis")) % x.rank
    y = normalize(cx, x, list(range(axis, x.rank)), float(cx.attr("epsilon")))
    scale = cx.const_input(1, "scale")
    bias = cx.const_input(2, "bias")
    affine(cx, x, y, scale, bias)


@register("InstanceNormalization", inputs=(3, 3), attrs={"epsilon": 1e-5})
def instance_norm(cx):
    x = cx.input(0)
    require(x.rank >= 3, "InstanceNormalization needs a rank >= 3 input")
    y = normalize(cx, x, list(range(2, x.rank)), float(cx.attr("epsilon")))
    scale = _channel_const(cx.const_input(1, "scale"), x.rank)
    bias = _channel_const(cx.const_input(2, "B"), x.rank)
    affine(cx, x, y, scale, bias)


@register(
    "GroupNormalization",
    inputs=(3, 3),
    attrs={"epsilon": 1e-5, "num_groups": None, "stash_type": 1},
)
def group_norm(cx):
    """Channels-last [N, spatial..., C] reshaped to [N, S, G, C/G] (no data movement),
    normalized over axes 1 and 3, reshaped back; then per-channel scale and bias (opset 18
    gives them per group)."""
    x = cx.input(0)
    require(x.rank >= 3, "GroupNormalization needs a rank >= 3 input")
    groups, c = int(cx.attr("num_groups")), x.shape[1]
    require(c % groups == 0, f"{c} channels do not split into {groups} groups")
    perm = channels_last(x.rank)
    t = cx.t(x, perm)
    ir_shape = tuple(x.shape[p] for p in perm)
    spatial = int(np.prod(ir_shape[1:-1]))
    grouped = (ir_shape[0], spatial, groups, c // groups)
    g = reshape(cx, t, grouped, "grouped")
    y = normalize_tensor(cx, g, grouped, [1, 3], float(cx.attr("epsilon")))
    y = reshape(cx, y, ir_shape, "ungrouped")
    scale, bias = (np.asarray(cx.const_input(i, n), FLOAT) for i, n in ((1, "scale"), (2, "bias")))
    if scale.size == groups and groups != c:  # opset 18: one value per group
        scale, bias = np.repeat(scale, c // groups), np.repeat(bias, c // groups)
    y = cx.op("MUL", [y, cx.const(scale, "scale")], ir_shape, suffix="scaled", **NONE)
    out = cx.op("ADD", [y, cx.const(bias, "bias")], ir_shape, suffix="shifted", **NONE)
    cx.set_output(0, out, perm)
