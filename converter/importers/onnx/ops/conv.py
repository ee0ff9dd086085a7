"""Conv and ConvTranspose (1-D and 2-D) as CONV_2D / DEPTHWISE_CONV_2D / TRANSPOSE_CONV.

Weights are constants transposed once at import: Conv OIHW -> OHWI (CONV_2D, grouped too) or
1HW(C*M) (depthwise); ConvTranspose IOHW -> OHWI. A bias is always given (zeros when absent) so
later passes can fold batch norms and adds into it.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.ops._common import FLOAT, require
from edgelite.converter.importers.onnx.ops._window import (
    WINDOW_ATTRS,
    finish_nhwc,
    pad_nhwc,
    resolve_pads,
    tflite_same_pads,
    to_nhwc_4d,
    window_2d,
)
from edgelite.converter.importers.onnx.registry import register


def _weights_and_bias(cx, out_channels_axis: int):
    w = np.asarray(cx.const_input(1, "weights"), FLOAT)
    b = cx.const_input(2, "bias")
    b = np.zeros(w.shape[out_channels_axis], FLOAT) if b is None else np.asarray(b, FLOAT)
    return w, b


@register("Conv", inputs=(2, 3), attrs={**WINDOW_ATTRS, "group": 1})
def conv(cx):
    x = cx.input(0)
    require(x.rank in (3, 4), f"{x.rank - 2}-D convolution is not supported")
    w, bias = _weights_and_bias(cx, 0)
    if x.rank == 3:
        w = w[:, :, None, :]
    win = window_2d(cx, x.rank - 2, cx.attr("kernel_shape") or w.shape[2:][-(x.rank - 2) :])
    require(tuple(win.kernel) == w.shape[2:], "kernel_shape does not match the weights")
    t = to_nhwc_4d(cx, x)
    n, h, wd, c = (abs(d) for d in t.shape)
    padding, t = _padding(cx, t, win, (h, wd))
    group = int(cx.attr("group"))
    o = w.shape[0]
    out_shape = cx.out_shape()
    oh, ow = (1, out_shape[2]) if win.one_d else out_shape[2:]
    opts = {
        "padding": padding,
        "stride_h": win.strides[0],
        "stride_w": win.strides[1],
        "dilation_h_factor": win.dilations[0],
        "dilation_w_factor": win.dilations[1],
        "fused_activation_function": "NONE",
    }
    if group == c and w.shape[1] == 1 and group > 1:  # depthwise
        filt = cx.const(np.ascontiguousarray(w.transpose(1, 2, 3, 0)), "weights")
        op_type = "DEPTHWISE_CONV_2D"
        opts["depth_multiplier"] = o // c
    else:
        require(c == w.shape[1] * group, f"{c} input channels do not match weights {w.shape}")
        filt = cx.const(np.ascontiguousarray(w.transpose(0, 2, 3, 1)), "weights")
        op_type = "CONV_2D"
    y = cx.op(op_type, [t, filt, cx.const(bias, "bias")], (n, oh, ow, o), suffix="conv", **opts)
    finish_nhwc(cx, y, win.one_d)


def _padding(cx, t, win, in_hw, fill=0.0):
    """("SAME" | "VALID", input): explicit pads that TFLite cannot express become a PAD."""
    pads = resolve_pads(win, in_hw)
    if not any(pads):
        return "VALID", t
    if pads == tflite_same_pads(win, in_hw):
        return "SAME", t
    return "VALID", pad_nhwc(cx, t, pads, fill)


@register(
    "ConvTranspose",
    inputs=(2, 3),
    attrs={**WINDOW_ATTRS, "group": 1, "output_padding": None, "output_shape": None},
)
def conv_transpose(cx):
    """TRANSPOSE_CONV computes the full (in-1)*s+k output (VALID) or exactly in*s (SAME);
    ONNX's begin/end pads crop the full output, done with a SLICE when SAME does not fit."""
    x = cx.input(0)
    require(x.rank in (3, 4), f"{x.rank - 2}-D transposed convolution is not supported")
    require(int(cx.attr("group")) == 1, "grouped ConvTranspose is not supported")
    w, bias = _weights_and_bias(cx, 1)
    if x.rank == 3:
        w = w[:, :, None, :]
    win = window_2d(cx, x.rank - 2, cx.attr("kernel_shape") or w.shape[2:][-(x.rank - 2) :])
    require(win.dilations == (1, 1), "dilated ConvTranspose is not supported (TFLite has none)")
    t = to_nhwc_4d(cx, x)
    n, h, wd, _ = (abs(d) for d in t.shape)
    o = w.shape[1]
    out_shape = cx.out_shape()
    out_hw = (1, out_shape[2]) if win.one_d else tuple(out_shape[2:])
    full = tuple((s - 1) * st + k for s, st, k in zip((h, wd), win.strides, win.kernel))
    begin = _crop_begin(cx, win, full, out_hw)
    filt = cx.const(np.ascontiguousarray(w.transpose(1, 2, 3, 0)), "weights")
    opts = {"stride_h": win.strides[0], "stride_w": win.strides[1]}
    opts["fused_activation_function"] = "NONE"
    same_hw = (h * win.strides[0], wd * win.strides[1])
    same_begin = tuple(max(k - s, 0) // 2 for k, s in zip(win.kernel, win.strides))

    def deconv(shape, padding):
        sizes = _output_shape(cx, t, shape)
        inputs = [sizes, filt, t, cx.const(bias, "bias")]
        return cx.op("TRANSPOSE_CONV", inputs, shape, suffix="deconv", padding=padding, **opts)

    if out_hw == same_hw and begin == same_begin:
        return finish_nhwc(cx, deconv((n, *same_hw, o), "SAME"), win.one_d)
    y = deconv((n, *full, o), "VALID")
    if out_hw != full:
        b = cx.const(np.asarray([0, begin[0], begin[1], 0], np.int32), "crop/begin")
        size = cx.const(np.asarray([-1, out_hw[0], out_hw[1], -1], np.int32), "crop/size")
        y = cx.op("SLICE", [y, b, size], (n, *out_hw, o), suffix="crop")
    finish_nhwc(cx, y, win.one_d)


def _output_shape(cx, t, shape):
    """TRANSPOSE_CONV's output_shape input: a constant, or with a dynamic batch the input's
    batch (SHAPE + SLICE) joined to the constant H, W, C."""
    if t.shape[0] >= 0:
        return cx.const(np.asarray(shape, np.int32), "output_shape")
    dims = cx.op("SHAPE", [t], (4,), np.int32, suffix="input_shape", out_type="INT32")
    begin, size = (
        cx.const(np.asarray([0], np.int32), "batch/begin"),
        cx.const(np.asarray([1], np.int32), "batch/size"),
    )
    batch = cx.op("SLICE", [dims, begin, size], (1,), np.int32, suffix="batch")
    rest = cx.const(np.asarray(shape[1:], np.int32), "output_hwc")
    return cx.op(
        "CONCATENATION",
        [batch, rest],
        (4,),
        np.int32,
        suffix="output_shape",
        axis=0,
        fused_activation_function="NONE",
    )


def _crop_begin(cx, win, full, out_hw) -> tuple:
    """Rows/cols cropped before the output; the output must lie within the full result."""
    if cx.attr("output_shape") is not None or win.auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        totals = [f - o for f, o in zip(full, out_hw)]
        upper = win.auto_pad != "SAME_LOWER"
        begin = tuple(t // 2 if upper else t - t // 2 for t in totals)
        require(all(t % 2 == 0 for t in totals), "odd total padding with auto_pad/output_shape")
    elif win.auto_pad == "VALID":
        begin = (0, 0)
    else:
        begin = (win.pads[0], win.pads[1])
    require(
        all(b + o <= f and b >= 0 for b, o, f in zip(begin, out_hw, full)),
        "output_padding larger than the end padding (the output would extend past the input)",
    )
    return begin
