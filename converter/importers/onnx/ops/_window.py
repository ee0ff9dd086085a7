"""Sliding-window geometry shared by convolution and pooling: attributes, 1-D expansion, padding.

ONNX gives explicit begin/end pads (or an ``auto_pad`` rule); TFLite knows SAME and VALID only.
SAME is used when the pads equal TFLite's for this input size (TFLite puts the odd pixel after,
like SAME_UPPER); other pads become an explicit PAD/PADV2 before a VALID window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edgelite.converter.importers.onnx.layout import channels_last
from edgelite.converter.importers.onnx.ops._common import require, reshape
from edgelite.converter.importers.onnx.registry import Unsupported

WINDOW_ATTRS = {
    "auto_pad": "NOTSET",
    "dilations": None,
    "kernel_shape": None,
    "pads": None,
    "strides": None,
}


@dataclass
class Window2D:
    """A 1-D or 2-D window as 2-D (a 1-D window has kernel height 1)."""

    kernel: tuple  # (kh, kw)
    strides: tuple
    dilations: tuple
    pads: tuple  # (top, left, bottom, right)
    auto_pad: str
    one_d: bool

    def effective(self, i: int) -> int:
        return (self.kernel[i] - 1) * self.dilations[i] + 1


def window_2d(cx, spatial: int, kernel) -> Window2D:
    """Window attributes of a node, 1-D ones expanded to 2-D."""
    require(spatial in (1, 2), f"{spatial}-D windows are not supported (1-D and 2-D only)")
    kernel = tuple(int(k) for k in kernel)
    strides = tuple(cx.attr("strides") or (1,) * spatial)
    dilations = tuple(cx.attr("dilations") or (1,) * spatial)
    pads = tuple(cx.attr("pads") or (0,) * (2 * spatial))
    auto_pad = cx.attr("auto_pad")
    require(
        auto_pad in ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"),
        f"auto_pad='{auto_pad}'",
    )
    if spatial == 1:
        kernel, strides, dilations = (1,) + kernel, (1,) + strides, (1,) + dilations
        pads = (0, pads[0], 0, pads[1])
    return Window2D(kernel, strides, dilations, pads, auto_pad, spatial == 1)


def resolve_pads(win: Window2D, in_hw) -> tuple:
    """(top, left, bottom, right) pads after applying ``auto_pad``."""
    if win.auto_pad == "VALID":
        return (0, 0, 0, 0)
    if win.auto_pad == "NOTSET":
        return win.pads
    begin, end = [], []
    for i in range(2):
        out = -(-in_hw[i] // win.strides[i])
        total = max((out - 1) * win.strides[i] + win.effective(i) - in_hw[i], 0)
        small, big = total // 2, total - total // 2
        begin.append(small if win.auto_pad == "SAME_UPPER" else big)
        end.append(big if win.auto_pad == "SAME_UPPER" else small)
    return (begin[0], begin[1], end[0], end[1])


def tflite_same_pads(win: Window2D, in_hw) -> tuple:
    """The pads TFLite's SAME padding uses for this input size."""
    begin, end = [], []
    for i in range(2):
        out = -(-in_hw[i] // win.strides[i])
        total = max((out - 1) * win.strides[i] + win.effective(i) - in_hw[i], 0)
        begin.append(total // 2)
        end.append(total - total // 2)
    return (begin[0], begin[1], end[0], end[1])


def same_output(win: Window2D, in_hw) -> tuple:
    return tuple(-(-in_hw[i] // win.strides[i]) for i in range(2))


def to_nhwc_4d(cx, value):
    """The input as a 4-D NHWC IR tensor (a 1-D NCW input becomes N,1,W,C)."""
    t = cx.t(value, channels_last(value.rank))
    if value.rank == 3:
        n, c, w = value.shape
        t = reshape(cx, t, (n, 1, w, c), "as_2d")
    return t


def pad_nhwc(cx, t, pads, value=0.0, suffix="pad"):
    """Explicit PAD (zeros) or PADV2 (another constant) of an NHWC tensor's H and W."""
    top, left, bottom, right = (int(p) for p in pads)
    if min(pads) < 0:
        raise Unsupported(f"negative pads {list(pads)}")
    n, h, w, c = (abs(d) for d in t.shape)
    paddings = cx.const(
        np.asarray([[0, 0], [top, bottom], [left, right], [0, 0]], np.int32), f"{suffix}/paddings"
    )
    shape = (n, h + top + bottom, w + left + right, c)
    if value == 0.0:
        return cx.op("PAD", [t, paddings], shape, t.dtype, suffix=suffix)
    fill = cx.const(np.asarray(value, t.dtype), f"{suffix}/value")
    return cx.op("PADV2", [t, paddings, fill], shape, t.dtype, suffix=suffix)


def finish_nhwc(cx, t, one_d: bool) -> None:
    """Bind output 0 from a 4-D NHWC tensor (a 1-D op's N,1,W,C goes back to N,W,C)."""
    if one_d:
        n, _, w, c = (abs(d) for d in t.shape)
        t = reshape(cx, t, (n, w, c), "as_1d")
        return cx.set_output(0, t, channels_last(3))
    cx.set_output(0, t, channels_last(4))
