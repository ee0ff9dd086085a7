"""RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR against per-pixel loops of TFLite's reference
coordinate formulas, evaluated in float32 scalars in the reference kernels' order, so results
must match bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError
from edgelite.interpreter.kernels.context import NeedsData

F = np.float32
MODES = [(False, False), (True, False), (False, True)]


def scale_of(in_size, out_size, align):
    if align and out_size > 1:
        return F(in_size - 1) / F(out_size - 1)
    return F(in_size) / F(out_size)


def bilinear_ref(x, oh, ow, align, half):
    n, h, w, c = x.shape
    sy, sx = scale_of(h, oh, align), scale_of(w, ow, align)

    def coord(v, scale, size):
        p = (F(v) + F(0.5)) * scale - F(0.5) if half else F(v) * scale
        lo = max(int(math.floor(p)), 0)
        hi = min(int(math.ceil(p)), size - 1)
        return p, lo, hi

    out = np.empty((n, oh, ow, c), F)
    for b in range(n):
        for y in range(oh):
            iy, y0, y1 = coord(y, sy, h)
            dy = F(iy - F(y0))
            for xo in range(ow):
                ix, x0, x1 = coord(xo, sx, w)
                dx = F(ix - F(x0))
                for ch in range(c):
                    v = x[b, y0, x0, ch] * (F(1) - dy) * (F(1) - dx)
                    v = v + x[b, y1, x0, ch] * dy * (F(1) - dx)
                    v = v + x[b, y0, x1, ch] * (F(1) - dy) * dx
                    v = v + x[b, y1, x1, ch] * dy * dx
                    out[b, y, xo, ch] = v
    return out


def nearest_ref(x, oh, ow, align, half):
    n, h, w, c = x.shape

    def src(v, in_size, out_size):
        p = (F(v) + F(0.5 if half else 0.0)) * scale_of(in_size, out_size, align)
        if align:
            i = int(math.floor(float(p) + 0.5))  # std::round: halves away from zero (p >= 0)
        else:
            i = int(math.floor(p))
        i = min(i, in_size - 1)
        return max(i, 0) if half else i

    out = np.empty((n, oh, ow, c), x.dtype)
    for y in range(oh):
        for xo in range(ow):
            out[:, y, xo, :] = x[:, src(y, h, oh), src(xo, w, ow), :]
    return out


def resize(op, x, size, align=False, half=False, const=(1,)):
    opts = {"align_corners": align, "half_pixel_centers": half}
    return run_kernel(op, [x, np.array(size, np.int32)], opts, const=const, out_dtypes=(x.dtype,))[
        0
    ]


SIZES = [
    ((4, 4), (8, 8)),
    ((3, 5), (7, 2)),
    ((5, 3), (5, 3)),
    ((1, 1), (3, 4)),
    ((6, 7), (1, 1)),
    ((2, 9), (5, 4)),
    ((4, 1), (9, 1)),
]


@pytest.mark.parametrize("align,half", MODES)
@pytest.mark.parametrize("in_hw,out_hw", SIZES)
def test_bilinear_matches_reference_bit_for_bit(align, half, in_hw, out_hw):
    x = (np.random.default_rng(0).standard_normal((2, *in_hw, 3)) * 10).astype(F)
    y = resize("RESIZE_BILINEAR", x, out_hw, align, half)
    assert y.shape == (2, *out_hw, 3) and y.dtype == F
    np.testing.assert_array_equal(y, bilinear_ref(x, *out_hw, align, half))


@pytest.mark.parametrize("align,half", MODES)
def test_bilinear_identity_and_constant_image(align, half):
    x = np.random.default_rng(1).standard_normal((1, 3, 4, 2)).astype(F)
    np.testing.assert_array_equal(resize("RESIZE_BILINEAR", x, (3, 4), align, half), x)
    flat = np.full((1, 3, 5, 1), 2.5, F)
    y = resize("RESIZE_BILINEAR", flat, (7, 4), align, half)
    np.testing.assert_allclose(y, 2.5, rtol=1e-6)


def test_bilinear_half_pixel_keeps_negative_offsets_at_the_edge():
    # output row 0 of a 2x upsample samples in_y = -0.25: rows 0 and 0, weights 1.25 and -0.25
    x = np.array([0.1, 0.7], F).reshape(1, 2, 1, 1)
    y = resize("RESIZE_BILINEAR", x, (4, 1), half=True)
    assert y[0, 0, 0, 0] == F(F(0.1) * F(1.25) * F(1)) + F(F(0.1) * F(-0.25) * F(1))


def test_bilinear_errors_and_needs_data():
    x = np.zeros((1, 2, 2, 1), F)
    with pytest.raises(InvalidModelError):
        resize("RESIZE_BILINEAR", x, (4, 4), align=True, half=True)
    with pytest.raises(InvalidModelError):
        resize("RESIZE_BILINEAR", x, (0, 4))
    with pytest.raises(InvalidModelError):
        resize("RESIZE_BILINEAR", np.zeros((2, 2, 1), F), (4, 4))
    with pytest.raises(NeedsData):
        resize("RESIZE_BILINEAR", x, (4, 4), const=())


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(1, 12),
    st.integers(1, 12),
    st.sampled_from(MODES),
)
def test_bilinear_random(h, w, oh, ow, mode):
    x = np.random.default_rng(h * 100 + w).standard_normal((1, h, w, 2)).astype(F)
    np.testing.assert_array_equal(
        resize("RESIZE_BILINEAR", x, (oh, ow), *mode), bilinear_ref(x, oh, ow, *mode)
    )


NN_MODES = [*MODES, (True, True)]


@pytest.mark.parametrize("align,half", NN_MODES)
@pytest.mark.parametrize("in_hw,out_hw", SIZES)
@pytest.mark.parametrize("dtype", [np.float32, np.int8, np.uint8, np.int32])
def test_nearest_matches_reference(align, half, in_hw, out_hw, dtype):
    x = np.random.default_rng(2).integers(0, 100, (2, *in_hw, 3)).astype(dtype)
    y = resize("RESIZE_NEAREST_NEIGHBOR", x, out_hw, align, half)
    assert y.shape == (2, *out_hw, 3) and y.dtype == dtype
    np.testing.assert_array_equal(y, nearest_ref(x, *out_hw, align, half))


def test_nearest_rounding_rules_on_a_ramp():
    x = np.arange(3, dtype=np.int32).reshape(1, 1, 3, 1)

    def row(**flags):
        return resize("RESIZE_NEAREST_NEIGHBOR", x, (1, 5), **flags)[0, 0, :, 0].tolist()

    assert row() == [0, 0, 1, 1, 2]  # floor(x * 3/5)
    assert row(align=True) == [0, 1, 1, 2, 2]  # round(x * 2/4): 0.5 and 1.5 round up
    assert row(half=True) == [0, 0, 1, 2, 2]  # floor((x + .5) * 3/5)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(0, 12),
    st.integers(1, 12),
    st.sampled_from(NN_MODES),
)
def test_nearest_random(h, w, oh, ow, mode):
    x = np.random.default_rng(h + 10 * w).integers(-128, 127, (1, h, w, 2)).astype(np.int8)
    np.testing.assert_array_equal(
        resize("RESIZE_NEAREST_NEIGHBOR", x, (oh, ow), *mode), nearest_ref(x, oh, ow, *mode)
    )


def test_nearest_dynamic_size_needs_data():
    with pytest.raises(NeedsData):
        resize("RESIZE_NEAREST_NEIGHBOR", np.zeros((1, 2, 2, 1), F), (3, 3), const=())
