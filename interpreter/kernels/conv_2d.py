"""CONV_2D: NHWC input, OHWI filter, optional bias (TFLite ``reference_ops::Conv``).

Float path, a block of output rows at a time (``_row_blocks``): a pointwise (1x1) convolution
multiplies the block's (strided) pixels by the transposed filter; any other window copies the
block's windows into a buffer allocated once (im2col) and multiplies that. Bias and the fused
activation are applied to each block while it is in cache. Grouped convolution (input
channels = groups x filter channels, output channels split evenly between groups) runs as one
batched matmul over the whole output.

Integer paths (int8, int16x8) run the same matmuls on the integer values, exact in float, and
requantize per output channel block by block; the hybrid path (float input, int8 weights) on
the input quantized on the fly per batch.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._conv_util import (
    PaddedInput,
    constant_f32,
    conv_output,
    float_epilogue,
    hybrid_epilogue,
    patches,
    rows,
)
from edgelite.interpreter.kernels._qconv import (
    F32,
    asymmetric_quantize,
    constant,
    exact_dtype,
    hybrid_scales,
    input_range,
    offset_weights,
    symmetric_quantize,
    weighted_requantizer,
)
from edgelite.interpreter.kernels._row_blocks import (
    MATMUL_BLOCK_ELEMENTS,
    MIN_MATMUL_ROWS,
    InputRows,
    block_rows,
    blocks,
)
from edgelite.interpreter.kernels.registry import kernel
from edgelite.interpreter.scratch import scratch_array

POINTWISE_BLOCK = 1 << 16  # elements per matmul block of the integer 1x1 conv (measured)
REQUANT_BLOCK = 1 << 15  # accumulators gathered per requantization (measured)
AFFINE_MAX_DEPTH = 48  # RELU-like convs this shallow requantize in the matmul (measured)


def weight_matrix(w: np.ndarray, groups: int) -> np.ndarray:
    """OHWI filter -> (groups, KH*KW*Cg, O/groups) contiguous, rows in (kh, kw, c) order."""
    o = w.shape[0]
    return np.ascontiguousarray(w.reshape(groups, o // groups, -1).transpose(0, 2, 1))


def check_inputs(ctx):
    x, w, b = ctx.inputs[0], ctx.inputs[1], ctx.inputs[2] if len(ctx.inputs) > 2 else None
    if len(x.shape) != 4 or len(w.shape) != 4:
        raise ctx.error(f"input {x.shape} and filter {w.shape} must both be 4-D (NHWC, OHWI)")
    o, cg, c = w.shape[0], w.shape[3], x.shape[3]
    if cg < 1 or c % cg:
        raise ctx.error(f"input channels {c} are not a multiple of filter channels {cg}")
    groups = c // cg
    if o % groups:
        raise ctx.error(f"output channels {o} do not split into {groups} groups")
    if b is not None and tuple(b.shape) != (o,):
        raise ctx.error(f"bias shape {b.shape} does not match {o} output channels")
    return b, groups


@kernel("CONV_2D", "float")
def prepare_conv_2d(ctx):
    bias_info, groups = check_inputs(ctx)
    o, kh, kw, _ = ctx.inputs[1].shape
    win, act = conv_output(ctx, kh, kw, o)
    w = constant_f32(ctx.inputs[1])
    wmat = None if w is None else weight_matrix(w, groups)
    finish = float_epilogue(win, bias_info, o, act)
    if groups > 1:
        return prepare_grouped_float(win, groups, o, wmat, finish)
    rows, matmul = prepare_float_blocks(ctx, win, o)

    def run(ins, outs):
        wt = weight_matrix(ins[1], 1)[0] if wmat is None else wmat[0]
        for b, r, k in blocks(win, rows):
            acc = outs[0][b, r : r + k]
            matmul(ins[0], wt, b, r, k, acc)
            finish(acc, ins)  # bias and activation while the block is in cache

    return run


def prepare_grouped_float(win, groups, o, wmat, finish):
    """Grouped convolution: one im2col buffer and one batched matmul over the groups."""
    matmul = prepare_im2col(win, win.n * win.oh * win.ow, groups, o)

    def run(ins, outs):
        matmul(ins[0], weight_matrix(ins[1], groups) if wmat is None else wmat, outs[0])
        finish(outs[0], ins)

    return run


def prepare_float_blocks(ctx, win, o):
    """Ungrouped float conv a block of output rows at a time: ``(rows, matmul)`` where
    ``matmul(x, wmat, b, r, k, acc)`` writes the k output rows from row r of batch b. A 1x1
    filter multiplies the (strided) pixels directly; any other window goes through im2col."""
    if win.kh == 1 and win.kw == 1:
        return prepare_pointwise_blocks(win, o)
    return prepare_windows(ctx, win, o)


def prepare_pointwise_blocks(win, o):
    """1x1 filter: each block's (strided) pixels times the (C, O) filter matrix."""
    rows = block_rows(win, max(o, win.c), MIN_MATMUL_ROWS, MATMUL_BLOCK_ELEMENTS)

    def matmul(x, wmat, b, r, k, acc):
        px = strided_pixels(x, win, b, r, k)
        np.matmul(px.reshape(k * win.ow, win.c), wmat, out=acc.reshape(k * win.ow, o))

    return rows, matmul


def strided_pixels(x, win, b: int, r: int, k: int) -> np.ndarray:
    """The (k, OW, C) input pixels a 1x1 filter reads for output rows [r, r + k) of batch b."""
    return x[b, r * win.sh : (r + k - 1) * win.sh + 1 : win.sh, : win.ow * win.sw : win.sw]


def prepare_windows(ctx, win, o, dtype=np.float32, fill=0.0, ones=False):
    """Any window, ungrouped, a block of output rows at a time: ``(rows, matmul)`` where
    ``matmul(x, wmat, b, r, k, acc)`` copies the block's windows into a (pixels, KH*KW*C)
    buffer and multiplies it by the filter matrix into ``acc`` (k rows of outputs). With
    ``ones`` the buffer has a last column of ones, for a matrix whose last row is an offset."""
    k_len = win.kh * win.kw * win.c
    rows = block_rows(win, max(o, k_len), MIN_MATMUL_ROWS)
    inputs = InputRows(ctx, win, rows, fill, dtype=dtype)
    cols_scratch = scratch_array(ctx, "conv.cols", (rows, win.ow, k_len + ones), dtype)

    def matmul(x, wmat, b, r, k, acc):
        cols = cols_scratch.get()[:k]
        inputs.load(x, b, r, k)
        # a view (only the contiguous last axis splits), filled in place
        np.copyto(cols[..., :k_len].reshape(k, win.ow, win.kh, win.kw, win.c), inputs.windows(k))
        if ones:  # the shared buffer may hold another kernel's values there
            cols[..., k_len] = 1
        np.matmul(cols.reshape(k * win.ow, -1), wmat, out=acc.reshape(k * win.ow, o))

    return rows, matmul


def prepare_im2col(win, m, groups, o, dtype=np.float32, fill=0.0):
    """Any window: copy every window into a (groups, M, KH*KW*Cg) buffer, then one matmul.
    Integer kernels pass a float64 ``dtype`` or the input zero point as ``fill``."""
    pad = PaddedInput(win, fill, dtype=dtype)
    cg = win.c // groups
    cols = np.empty((groups, win.n, win.oh, win.ow, win.kh, win.kw, cg), dtype)
    cols_mat = rows(cols, (groups, m, win.kh * win.kw * cg))
    # Grouped results land here first: the group is not the innermost output axis.
    res = np.empty((groups, m, o // groups), dtype) if groups > 1 else None

    def matmul(x, wmat, out):
        view = patches(pad(x), win)
        if groups == 1:
            np.copyto(cols[0], view)
            np.matmul(cols_mat[0], wmat[0], out=rows(out, (m, out.shape[3])))
            return
        split = view.reshape(*view.shape[:5], groups, cg)
        np.copyto(cols, split.transpose(5, 0, 1, 2, 3, 4, 6))
        np.matmul(cols_mat, wmat, out=res)
        np.copyto(rows(out, (m, groups, o // groups)), res.transpose(1, 0, 2))

    return matmul


@kernel("CONV_2D", "int8", "uint8", "int16")
def prepare_conv_2d_int(ctx):
    """``reference_integer_ops::ConvPerChannel`` (int8, and int16x8 with int64 accumulators).

    int8: the raw input is summed against the weights in float BLAS (exact: see
    ``exact_dtype``) with padding holding the input zero point, whose term is folded into the
    bias; int16 sums in float64. ``Requantizer`` then rescales per output channel.
    """
    bias_info, groups = check_inputs(ctx)
    x = ctx.inputs[0]
    o, kh, kw, cg = ctx.inputs[1].shape
    win, act = conv_output(ctx, kh, kw, o)
    w = offset_weights(ctx, ctx.inputs[1])
    zp, x_max, _ = input_range(x)
    requant = weighted_requantizer(ctx, w, 0, bias_info, act, x_max, zp, reps=win.ow)
    dtype = exact_dtype(w, 0, x_max)
    wmat = weight_matrix(w.astype(dtype), groups)
    shallow = groups == 1 and kh * kw * cg <= AFFINE_MAX_DEPTH and x.dtype.itemsize == 1
    affine = requant.affine() if shallow else None
    if affine is not None:
        return prepare_affine(ctx, win, wmat[0], affine, requant.lo, requant.hi, float(zp))
    if kh == 1 and kw == 1 and groups == 1:
        return prepare_pointwise_int(ctx, win, wmat[0], dtype, requant)
    if groups == 1:
        return prepare_windows_int(ctx, win, wmat[0], dtype, float(zp), requant)
    m = win.n * win.oh * win.ow
    acc = np.empty((*win.out_shape, o), dtype)
    matmul = prepare_im2col(win, m, groups, o, dtype, fill=float(zp))

    def run(ins, outs):
        matmul(ins[0], wmat, acc)
        requant(acc, outs[0])

    return run


def prepare_windows_int(ctx, win, wmat, dtype, zp, requant):
    """Integer im2col conv by blocks of output rows: the raw input padded with its zero point
    is multiplied exactly in float, and each block requantized while in cache."""
    o = wmat.shape[1]
    rows, matmul = prepare_windows(ctx, win, o, dtype, fill=zp)
    acc_scratch = scratch_array(ctx, "conv.acc", (rows, win.ow, o), dtype)

    def run(ins, outs):
        acc = acc_scratch.get()
        for b, r, k in blocks(win, rows):
            matmul(ins[0], wmat, b, r, k, acc[:k])
            requant(acc[:k], outs[0][b, r : r + k])

    return run


def prepare_affine(ctx, win, wmat, affine, lo: int, hi: int, zp: float):
    """A shallow conv (1x1 or any window) with a RELU-like clamp: the matmul itself
    requantizes. The weights are pre-scaled by the per-channel multiplier and the offset
    rides on a column of ones, so a float64 matmul gives t = acc * M + P exactly
    (``fixedpoint.requantize_affine``); clipping t and truncating it is all that is left (3
    passes instead of ~7 after a float32 matmul). The float64 matmul's extra cost grows with
    the depth: on MobileNetV2 it wins below ~64 (the 16- and 24-channel expansions: -15 to
    -30%) and loses at 320."""
    scale, offset = affine
    o = wmat.shape[1]
    w_aff = np.vstack([wmat.astype(np.float64) * scale, offset[None, :]])
    if win.kh == 1 and win.kw == 1:
        rows, matmul = prepare_pointwise_ones(ctx, win, o)
    else:
        rows, matmul = prepare_windows(ctx, win, o, np.float64, zp, ones=True)
    t_scratch = scratch_array(ctx, "conv.acc", (rows, win.ow, o), np.float64)
    qmin_bits, top = np.uint8(lo % 256), float(hi - lo)

    def run(ins, outs):
        t, out = t_scratch.get(), outs[0].view(np.uint8)
        for b, r, k in blocks(win, rows):
            matmul(ins[0], w_aff, b, r, k, t[:k])
            np.clip(t[:k], 0.0, top, out=t[:k])
            dst = out[b, r : r + k]
            np.copyto(dst, t[:k], casting="unsafe")  # truncation == floor on t >= 0
            if qmin_bits:
                np.add(dst, qmin_bits, out=dst)

    return run


def prepare_pointwise_ones(ctx, win, o):
    """1x1 filter: ``(rows, matmul)`` copying each block's (strided) integer pixels into a
    float64 buffer with a last column of ones, then multiplying."""
    c = win.c
    rows = max(1, POINTWISE_BLOCK // (win.ow * max(o, c)))
    pixels_scratch = scratch_array(ctx, "conv.pixels", (rows, win.ow, c + 1), np.float64)

    def matmul(x, wmat, b, r, k, acc):
        pixels = pixels_scratch.get()[:k]
        pixels[..., c] = 1  # the shared buffer may hold another kernel's values there
        np.copyto(pixels[..., :c], strided_pixels(x, win, b, r, k))
        np.matmul(pixels.reshape(k * win.ow, c + 1), wmat, out=acc.reshape(k * win.ow, o))

    return rows, matmul


def prepare_pointwise_int(ctx, win, wmat, dtype, requant):
    """1x1 filter on integer pixels, a few output rows at a time so the float pixels, the
    accumulators and the requantization's temporaries stay in cache: cast the (strided)
    pixels to float, matmul, and requantize once enough rows have gathered (a projection
    to few channels would otherwise requantize tiny blocks, paying numpy's per-call cost)."""
    o = wmat.shape[1]
    step = max(1, POINTWISE_BLOCK // (win.ow * max(o, win.c)))  # output rows per matmul
    gather = max(1, REQUANT_BLOCK // (win.ow * o * step)) * step  # rows per requantization
    pixels_scratch = scratch_array(ctx, "conv.pixels", (step, win.ow, win.c), dtype)
    acc_scratch = scratch_array(ctx, "conv.acc", (min(gather, win.oh), win.ow, o), dtype)
    if win.n == 1 and step >= win.oh:  # one matmul, one requantization
        return pointwise_int_once(win, wmat, requant, pixels_scratch, acc_scratch)

    def run(ins, outs):
        pixels, acc = pixels_scratch.get(), acc_scratch.get()
        x = ins[0][:, : win.oh * win.sh : win.sh, : win.ow * win.sw : win.sw]
        for b in range(win.n):
            for r in range(0, win.oh, gather):
                n = min(gather, win.oh - r)
                for i in range(0, n, step):
                    k = min(step, n - i)
                    np.copyto(pixels[:k], x[b, r + i : r + i + k])
                    np.matmul(
                        pixels[:k].reshape(-1, win.c), wmat, out=acc[i : i + k].reshape(-1, o)
                    )
                requant(acc[:n], outs[0][b, r : r + n])  # a contiguous block of rows

    return run


def pointwise_int_once(win, wmat, requant, pixels_scratch, acc_scratch):
    """``prepare_pointwise_int``'s run for a layer that fits one block: the same steps
    without the block loops (a small layer pays more for Python than for its arithmetic)."""
    pixels_shape, acc_shape = (win.oh * win.ow, win.c), (win.oh * win.ow, wmat.shape[1])
    rows, cols = slice(0, win.oh * win.sh, win.sh), slice(0, win.ow * win.sw, win.sw)

    def run(ins, outs):
        pixels = pixels_scratch.get()[: win.oh]
        acc = acc_scratch.get()[: win.oh]
        np.copyto(pixels, ins[0][0, rows, cols])
        np.matmul(pixels.reshape(pixels_shape), wmat, out=acc.reshape(acc_shape))
        requant(acc, outs[0][0])

    return run


@kernel("CONV_2D", "hybrid")
def prepare_conv_2d_hybrid(ctx):
    """Float input, int8 weights (TFLite ``EvalHybrid`` / ``EvalHybridPerChannel``).

    Each batch is quantized on the fly: symmetrically when the weights have one scale (the
    zero-padded integer conv), asymmetrically when the per-channel scales differ (pixels minus
    the batch's zero point, padding adding nothing). The integer sums are scaled back by the
    batch and weight scales, the float bias added and the activation clamped.
    """
    bias_info, groups = check_inputs(ctx)
    o, kh, kw, _ = ctx.inputs[1].shape
    win, act = conv_output(ctx, kh, kw, o)
    per_channel, scale = hybrid_scales(ctx, ctx.inputs[1], o)
    if per_channel is None and groups > 1:  # TFLite's grouped hybrid conv is per-channel only
        per_channel = np.full(o, scale, F32)
    wmat = weight_matrix(constant(ctx, ctx.inputs[1], "weights").astype(F32), groups)
    finish = hybrid_epilogue(per_channel, constant_f32(bias_info), act)
    if groups > 1:
        matmul = prepare_im2col(win, win.n * win.oh * win.ow, groups, o)
    else:
        rows, matmul_rows = prepare_float_blocks(ctx, win, o)

    def run(ins, outs):
        xb = ins[0].reshape(win.n, -1)
        if per_channel is None:
            q, factors = symmetric_quantize(xb)
            factors = factors * scale
        else:
            q, factors, _ = asymmetric_quantize(xb)  # minus the zero points
        q, out = q.reshape(ins[0].shape), outs[0]
        if groups > 1:
            matmul(q, wmat, out)
            for b in range(win.n):
                finish(out[b], factors[b])
            return
        for b, r, k in blocks(win, rows):
            matmul_rows(q, wmat[0], b, r, k, out[b, r : r + k])
            finish(out[b, r : r + k], factors[b])

    return run
