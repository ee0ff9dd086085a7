"""TRANSPOSE_CONV: the input-gradient of CONV_2D (TFLite ``reference_ops::TransposeConv``).

Inputs: output_shape (int32 [N, OH, OW, O]), weights OHWI, input NHWI, optional bias [O].
Every input pixel scatters ``input[n, y, x, :] @ weights[:, i, j, :].T`` to output
``(y * stride_h + i - pad_t, x * stride_w + j - pad_l)``; the padding is the one a forward
convolution of the *output* size would use (TFLite's ``ComputePaddingHeightWidth`` on
output_shape), and that convolution must give back the input's size, as TFLite checks.
Contributions falling outside the output are dropped. Bias, then the fused activation (newer
op versions; TANH/SIGN_BIT clamp nothing, as in TFLite), are applied last.

Float path: one matmul gives every pixel's contribution for all taps; the contributions are
then added into an uncropped buffer one tap at a time and the output window copied out.
Integer paths (``reference_integer_ops::TransposeConv``) do the same on (input - zero point)
in float (exact), then requantize per output channel like CONV_2D (int16: 64-bit variant).
Legacy uint8 (``reference_ops::TransposeConv``) is the same sum of (x - zx) * (w - zw) with
uint8 weights carrying a zero point and one per-tensor multiplier, computed as CONV_2D's uint8
one (``GetQuantizedConvolutionMultipler``: float32 input x weight scale, over the output scale).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._conv_util import (
    activate,
    check_activation,
    constant_f32,
    rows,
)
from edgelite.interpreter.kernels._qconv import (
    exact_dtype,
    input_range,
    offset_weights,
    weighted_requantizer,
)
from edgelite.interpreter.kernels.common import conv_output_size, conv_padding
from edgelite.interpreter.kernels.context import NeedsData
from edgelite.interpreter.kernels.registry import kernel


def read_output_shape(ctx, shape_info, n: int, o: int) -> tuple:
    if shape_info.data is None:
        raise NeedsData("TRANSPOSE_CONV output_shape is computed at run time")
    shape = tuple(int(v) for v in np.asarray(shape_info.data).reshape(-1))
    if len(shape) != 4 or min(shape) < 1:
        raise ctx.error(f"output_shape must hold 4 positive sizes, got {shape}")
    if shape[0] != n or shape[3] != o:
        raise ctx.error(f"output_shape {shape} must have batch {n} and {o} channels")
    return shape


def weight_matrix(w: np.ndarray) -> np.ndarray:
    """OHWI -> (I, KH*KW*O), columns in (kh, kw, o) order."""
    return np.ascontiguousarray(w.transpose(3, 1, 2, 0).reshape(w.shape[3], -1))


def check_geometry(ctx) -> tuple:
    """Validate and set the output shape; returns the geometry tuple
    (n, h, w, c, oh, ow, o, kh, kw, sh, sw, pad_t, pad_l, act)."""
    shape_info, w_info, x_info = ctx.inputs[0], ctx.inputs[1], ctx.inputs[2]
    b_info = ctx.inputs[3] if len(ctx.inputs) > 3 else None
    if len(w_info.shape) != 4 or len(x_info.shape) != 4:
        raise ctx.error(f"weights {w_info.shape} and input {x_info.shape} must be 4-D")
    o, kh, kw, i_ch = (int(d) for d in w_info.shape)
    n, h, w, c = (int(d) for d in x_info.shape)
    if c != i_ch:
        raise ctx.error(f"input has {c} channels but the weights expect {i_ch}")
    if b_info is not None and tuple(b_info.shape) != (o,):
        raise ctx.error(f"bias shape {b_info.shape} does not match {o} output channels")
    sh, sw = int(ctx.opt("stride_h", 1)), int(ctx.opt("stride_w", 1))
    padding = ctx.opt("padding", "SAME")
    if min(sh, sw) < 1 or padding not in ("SAME", "VALID"):
        raise ctx.error(f"bad strides ({sh}, {sw}) or padding {padding!r}")
    act = ctx.opt("fused_activation_function", "NONE")
    check_activation(ctx, act)
    _, oh, ow, _ = read_output_shape(ctx, shape_info, n, o)
    # Like TFLite: a forward conv of the output must give back the input's size.
    back = (conv_output_size(oh, kh, sh, 1, padding), conv_output_size(ow, kw, sw, 1, padding))
    if back != (h, w):
        raise ctx.error(
            f"output_shape {oh}x{ow} does not convolve back to the input's {h}x{w} "
            f"(gives {back[0]}x{back[1]} with {padding} padding, strides {sh}x{sw})"
        )
    ctx.expect_output_type(x_info)
    ctx.set_output(0, (n, oh, ow, o))
    pad_t = conv_padding(oh, kh, sh, 1, padding)[0]
    pad_l = conv_padding(ow, kw, sw, 1, padding)[0]
    return (n, h, w, c, oh, ow, o, kh, kw, sh, sw, pad_t, pad_l, act)


def prepare_scatter(geo, dtype=np.float32):
    """``scatter(x, wmat, out)``: out = the cropped sum of every pixel's tap contributions."""
    n, h, w, c, oh, ow, o, kh, kw, sh, sw, pad_t, pad_l, _ = geo
    # Uncropped result: every contribution lands inside it, and so does the output window.
    buf = np.zeros((n, max((h - 1) * sh + kh, pad_t + oh), max((w - 1) * sw + kw, pad_l + ow), o),
                   dtype)  # fmt: skip
    contrib = np.empty((n, h, w, kh, kw, o), dtype)
    contrib_mat = rows(contrib, (n * h * w, kh * kw * o))

    def scatter(x, wmat, out):
        np.matmul(x.reshape(n * h * w, c), wmat, out=contrib_mat)
        buf.fill(0)
        for i in range(kh):
            for j in range(kw):
                dst = buf[:, i : i + (h - 1) * sh + 1 : sh, j : j + (w - 1) * sw + 1 : sw]
                dst += contrib[:, :, :, i, j]
        np.copyto(out, buf[:, pad_t : pad_t + oh, pad_l : pad_l + ow])

    return scatter


@kernel("TRANSPOSE_CONV", "float")
def prepare_transpose_conv(ctx):
    geo = check_geometry(ctx)
    w_info = ctx.inputs[1]
    b_info = ctx.inputs[3] if len(ctx.inputs) > 3 else None
    act = geo[-1]
    scatter = prepare_scatter(geo)
    wconst = constant_f32(w_info)
    wmat = None if wconst is None else weight_matrix(wconst)
    bias = constant_f32(b_info)

    def run(ins, outs):
        weights = weight_matrix(np.asarray(ins[1], np.float32)) if wmat is None else wmat
        out = outs[0]
        scatter(ins[2], weights, out)
        if bias is not None:
            out += bias
        elif b_info is not None and ins[3] is not None:
            out += ins[3]
        activate(out, act)

    return run


def check_int_types(ctx, x, w_info, b_info) -> None:
    """LiteRT's type rules: uint8 activations take uint8 per-tensor weights, int8 and int16
    ones int8 weights; 8-bit activations take an int32 bias."""
    want = np.uint8 if x.dtype == np.uint8 else np.int8
    if w_info.dtype != want:
        raise ctx.error(
            f"{np.dtype(x.dtype).name} activations need {np.dtype(want).name} weights, "
            f"'{w_info.name}' is {np.dtype(w_info.dtype).name}"
        )
    if x.dtype == np.uint8 and w_info.quant is not None and w_info.quant.per_channel:
        raise ctx.error(f"uint8 weights '{w_info.name}' must be quantized per tensor")
    if b_info is not None and x.dtype != np.int16 and b_info.dtype != np.int32:
        raise ctx.error(f"bias '{b_info.name}' of 8-bit activations must be int32")


@kernel("TRANSPOSE_CONV", "int8", "uint8", "int16")
def prepare_transpose_conv_int(ctx):
    geo = check_geometry(ctx)
    n, h, w, c, oh, ow, o, kh, kw, sh, sw, _, _, act = geo
    x = ctx.inputs[2]
    b_info = ctx.inputs[3] if len(ctx.inputs) > 3 else None
    check_int_types(ctx, x, ctx.inputs[1], b_info)
    wq = offset_weights(ctx, ctx.inputs[1])
    zp, _, x_max = input_range(x)
    requant = weighted_requantizer(ctx, wq, 0, b_info, act, x_max, 0, reps=ow)
    dtype = exact_dtype(wq, 0, x_max)  # an output pixel sums a subset of its channel's weights
    scatter = prepare_scatter(geo, dtype)
    wmat = weight_matrix(wq.astype(dtype))
    shifted = np.empty((n, h, w, c), dtype)
    acc = np.empty((n, oh, ow, o), dtype)
    zp_value = np.dtype(dtype).type(zp)

    def run(ins, outs):
        np.subtract(ins[2], zp_value, out=shifted)
        scatter(shifted, wmat, acc)
        requant(acc, outs[0])

    return run
