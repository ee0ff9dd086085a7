"""Window geometry, padded buffers and tap views shared by the conv and pooling kernels.

All of them follow TFLite's NHWC conventions: ``ComputeOutSize`` for the output size and
``ComputePaddingHeightWidth`` for the padding (the odd pixel of SAME padding goes after).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.lib.stride_tricks import as_strided

from edgelite.interpreter.kernels._qconv import out_bounds
from edgelite.interpreter.kernels.common import conv_output_size, conv_padding

_CLAMPS = {"RELU": (0.0, np.inf), "RELU6": (0.0, 6.0), "RELU_N1_TO_1": (-1.0, 1.0)}


@dataclass(frozen=True)
class Window:
    """Geometry of a 2-D sliding window over an NHWC input."""

    n: int
    h: int
    w: int
    c: int
    kh: int
    kw: int
    sh: int
    sw: int
    dh: int
    dw: int
    oh: int
    ow: int
    pad_t: int
    pad_b: int
    pad_l: int
    pad_r: int

    @property
    def out_shape(self) -> tuple:
        return (self.n, self.oh, self.ow)

    @property
    def padded(self) -> bool:
        return bool(self.pad_t or self.pad_b or self.pad_l or self.pad_r)


def window(ctx, in_shape, kh: int, kw: int, dilated: bool = True) -> Window:
    """Read strides, dilation and padding from the op options and compute the geometry."""
    if len(in_shape) != 4:
        raise ctx.error(f"input must be 4-D NHWC, got shape {tuple(in_shape)}")
    n, h, w, c = (int(d) for d in in_shape)
    sh, sw = int(ctx.opt("stride_h", 1)), int(ctx.opt("stride_w", 1))
    dh = int(ctx.opt("dilation_h_factor", 1)) if dilated else 1
    dw = int(ctx.opt("dilation_w_factor", 1)) if dilated else 1
    padding = ctx.opt("padding", "SAME")
    if min(sh, sw, dh, dw) < 1:
        raise ctx.error(f"strides ({sh}, {sw}) and dilations ({dh}, {dw}) must be >= 1")
    if kh < 1 or kw < 1:
        raise ctx.error(f"window size ({kh}, {kw}) must be >= 1")
    if padding not in ("SAME", "VALID"):
        raise ctx.error(f"unsupported padding {padding!r}")
    oh = conv_output_size(h, kh, sh, dh, padding)
    ow = conv_output_size(w, kw, sw, dw, padding)
    if oh < 1 or ow < 1:
        raise ctx.error(
            f"window {kh}x{kw} (dilation {dh}x{dw}) does not fit input {h}x{w} with "
            f"{padding} padding"
        )
    pt, pb = conv_padding(h, kh, sh, dh, padding)
    pl, pr = conv_padding(w, kw, sw, dw, padding)
    return Window(n, h, w, c, kh, kw, sh, sw, dh, dw, oh, ow, pt, pb, pl, pr)


class PaddedInput:
    """An input copy with a constant border, allocated once: a run only copies the interior.
    Integer kernels use an integer or float64 ``dtype`` or a ``fill`` of the input's zero
    point."""

    def __init__(self, win: Window, fill: float = 0.0, dtype=np.float32):
        self.buf = None
        if not win.padded:
            return
        t, b, l, r = win.pad_t, win.pad_b, win.pad_l, win.pad_r
        self.buf = np.full((win.n, win.h + t + b, win.w + l + r, win.c), fill, dtype)
        self.inner = self.buf[:, t : t + win.h, l : l + win.w]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.buf is None:
            return x
        self.inner[...] = x
        return self.buf


def tap(xp: np.ndarray, win: Window, i: int, j: int) -> np.ndarray:
    """Input pixels under kernel tap (i, j) for every output position: an (N, OH, OW, C) view."""
    r0, c0 = i * win.dh, j * win.dw
    return xp[:, r0 : r0 + win.sh * (win.oh - 1) + 1 : win.sh,
              c0 : c0 + win.sw * (win.ow - 1) + 1 : win.sw]  # fmt: skip


def patches(xp: np.ndarray, win: Window) -> np.ndarray:
    """All windows as a read-only (N, OH, OW, KH, KW, C) view of the padded input."""
    s = xp.strides
    shape = (win.n, win.oh, win.ow, win.kh, win.kw, xp.shape[3])
    strides = (s[0], s[1] * win.sh, s[2] * win.sw, s[1] * win.dh, s[2] * win.dw, s[3])
    return as_strided(xp, shape, strides, writeable=False)


def rows(a: np.ndarray, shape) -> np.ndarray:
    """A view of the contiguous array ``a`` with a new shape (never a silent copy)."""
    if not a.flags.c_contiguous:
        raise ValueError("kernel outputs must be C-contiguous arrays")
    return a.reshape(shape)


def activate(x: np.ndarray, act) -> np.ndarray:
    """Fused activation in place, as TFLite's float conv and pool kernels apply it: a clamp to
    ``CalculateActivationRange``, which leaves TANH and SIGN_BIT unclamped (no-ops).
    np.clip: numpy vectorises it far better than np.maximum/np.minimum for float32."""
    if act in _CLAMPS:
        lo, hi = _CLAMPS[act]
        np.clip(x, lo, hi, out=x)
    return x


def check_activation(ctx, act, clamps_only: bool = False) -> None:
    """Reject unknown activations (and, for ops TFLite limits to clamps, TANH/SIGN_BIT)."""
    allowed = {None, "NONE", *_CLAMPS} | (set() if clamps_only else {"TANH", "SIGN_BIT"})
    if act not in allowed:
        raise ctx.error(f"unsupported fused activation {act!r}")


def constant_f32(info):
    """The tensor's constant value as float32, or None when it is computed at run time."""
    return None if info is None or info.data is None else np.asarray(info.data, np.float32)


def conv_output(ctx, kh: int, kw: int, channels: int) -> tuple:
    """(window, fused activation) of a conv-like op over input 0; sets its NHWC output shape."""
    win = window(ctx, ctx.inputs[0].shape, kh, kw)
    act = ctx.opt("fused_activation_function", "NONE")
    check_activation(ctx, act)
    ctx.expect_output_type(ctx.inputs[0])
    ctx.set_output(0, (*win.out_shape, channels))
    return win, act


def float_epilogue(win: Window, bias_info, channels: int, act):
    """``finish(out, ins)``: add the float bias (constant or given at run time) and apply the
    fused activation, in place."""
    bias = constant_f32(bias_info)
    # Bias tiled along a whole output row, so numpy adds it in one long contiguous loop.
    bias_row = None if bias is None else np.tile(bias, win.ow)

    def finish(out, ins):
        if bias_row is not None:
            flat = rows(out, (-1, win.ow * channels))
            np.add(flat, bias_row, out=flat)
        elif bias_info is not None and ins[2] is not None:
            np.add(out, ins[2], out=out)
        activate(out, act)

    return finish


def hybrid_epilogue(per_channel, bias, act):
    """``finish(out, factor)``: scale hybrid integer sums of one batch (all or some of its
    rows) back to float (per-channel weight scales, the batch's input factor), add the float
    bias, apply the activation."""

    def finish(out, factor):
        if per_channel is not None:
            out *= per_channel
        out *= factor
        if bias is not None:
            out += bias
        activate(out, act)

    return finish


def reaching_taps(win: Window) -> Window:
    """``win`` (undilated) without the kernel rows and columns that read only padding at
    every output position. A pool's window size is just an option: a file may declare one far
    larger than its input, and only the taps that can reach the input cost work (TFLite's
    loops likewise stay within the input)."""

    def axis(size, k, stride, pad, out):
        first = max(0, pad - (out - 1) * stride)  # taps before it stay above every row
        last = min(k - 1, pad + size - 1)  # taps after it stay below every row
        k2, pad2 = max(last - first + 1, 1), pad - first
        return k2, pad2, max(0, (out - 1) * stride + k2 - pad2 - size)

    kh, pad_t, pad_b = axis(win.h, win.kh, win.sh, win.pad_t, win.oh)
    kw, pad_l, pad_r = axis(win.w, win.kw, win.sw, win.pad_l, win.ow)
    return replace(win, kh=kh, kw=kw, pad_t=pad_t, pad_b=pad_b, pad_l=pad_l, pad_r=pad_r)


def in_bounds_count(win: Window) -> np.ndarray:
    """(OH, OW, 1) float32: how many window pixels fall inside the unpadded input."""

    def axis_counts(size, k, stride, pad, out):
        start = np.arange(out) * stride - pad
        return np.minimum(start + k, size) - np.maximum(start, 0)

    rows_ = axis_counts(win.h, win.kh, win.sh, win.pad_t, win.oh)
    cols = axis_counts(win.w, win.kw, win.sw, win.pad_l, win.ow)
    return (rows_[:, None] * cols[None, :]).astype(np.float32)[:, :, None]


def prepare_pool(ctx, square: bool = False, maximum: bool = False):
    """Shared prepare of AVERAGE/MAX/L2_POOL_2D (TFLite ``reference_ops`` pooling).

    Average and L2 pools divide by the number of in-bounds pixels (padding is not counted);
    max pool takes the maximum over in-bounds pixels only (the border holds -inf).
    """
    x = ctx.inputs[0]
    kh, kw = int(ctx.opt("filter_height", 1)), int(ctx.opt("filter_width", 1))
    win = window(ctx, x.shape, kh, kw, dilated=False)
    act = ctx.opt("fused_activation_function", "NONE")
    check_activation(ctx, act)
    ctx.expect_output_type(x)
    ctx.set_output(0, (*win.out_shape, win.c))
    count = None if maximum else in_bounds_count(win)
    win = reaching_taps(win)
    pad = PaddedInput(win, -np.inf if maximum else 0.0)
    reduce_ = np.maximum if maximum else np.add
    taps = [(i, j) for i in range(win.kh) for j in range(win.kw)]

    def run(ins, outs):
        src = ins[0]
        if square:
            src = np.square(src)
        xp = pad(src)
        out = outs[0]
        np.copyto(out, tap(xp, win, *taps[0]))
        for i, j in taps[1:]:
            reduce_(out, tap(xp, win, i, j), out=out)
        if count is not None:
            np.divide(out, count, out=out)
        if square:
            np.sqrt(out, out=out)
        activate(out, act)

    return run


def prepare_pool_int(ctx, maximum: bool = False):
    """AVERAGE/MAX_POOL_2D on int8/int16 (``reference_integer_ops`` pooling): raw values, no
    rescaling (input and output share their quantization). The average divides the int32
    window sum by the in-bounds count rounding half away from zero; the fused activation is a
    clamp in the quantized domain."""
    x = ctx.inputs[0]
    kh, kw = int(ctx.opt("filter_height", 1)), int(ctx.opt("filter_width", 1))
    win = window(ctx, x.shape, kh, kw, dilated=False)
    act = ctx.opt("fused_activation_function", "NONE")
    check_activation(ctx, act)
    ctx.expect_output_type(x)
    ctx.set_output(0, (*win.out_shape, win.c))
    lo, hi = out_bounds(ctx, ctx.outputs[0], act)
    count = in_bounds_count(win).astype(np.int64)
    win = reaching_taps(win)
    pad = PaddedInput(win, -(1 << 31) if maximum else 0, dtype=np.int64)
    half = count // 2
    acc = np.empty((*win.out_shape, win.c), np.int64)
    reduce_ = np.maximum if maximum else np.add
    taps = [(i, j) for i in range(win.kh) for j in range(win.kw)]

    def run(ins, outs):
        xp = pad(ins[0])
        np.copyto(acc, tap(xp, win, *taps[0]))
        for i, j in taps[1:]:
            reduce_(acc, tap(xp, win, i, j), out=acc)
        if not maximum:  # C division truncates: round half away from zero by hand
            acc[...] = np.where(acc > 0, (acc + half) // count, -((half - acc) // count))
        np.clip(acc, lo, hi, out=acc)
        np.copyto(outs[0], acc, casting="unsafe")

    return run
