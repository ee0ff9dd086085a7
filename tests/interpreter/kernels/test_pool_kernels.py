"""AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D float kernels against a loop reference.

TFLite pools only over the window pixels inside the input: padding is never counted in the
average / L2 divisor and never wins the max.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError

POOLS = ["AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D"]
ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1", "TANH", "SIGN_BIT"]


def ref_pool(op, x, kh, kw, sh, sw, padding, act):
    n, h, w, c = x.shape
    if padding == "SAME":
        oh, ow = -(-h // sh), -(-w // sw)
        pt = max((oh - 1) * sh + kh - h, 0) // 2
        pl = max((ow - 1) * sw + kw - w, 0) // 2
    else:
        oh, ow, pt, pl = (h - kh) // sh + 1, (w - kw) // sw + 1, 0, 0
    y = np.zeros((n, oh, ow, c))
    for oy in range(oh):
        for ox in range(ow):
            y0, x0 = oy * sh - pt, ox * sw - pl
            win = x[:, max(y0, 0) : y0 + kh, max(x0, 0) : x0 + kw].astype(np.float64)
            count = win.shape[1] * win.shape[2]
            if op == "MAX_POOL_2D":
                y[:, oy, ox] = win.max(axis=(1, 2))
            elif op == "AVERAGE_POOL_2D":
                y[:, oy, ox] = win.sum(axis=(1, 2)) / count
            else:
                y[:, oy, ox] = np.sqrt((win**2).sum(axis=(1, 2)) / count)
    lo, hi = {"RELU": (0, np.inf), "RELU6": (0, 6), "RELU_N1_TO_1": (-1, 1)}.get(
        act, (-np.inf, np.inf)
    )
    return np.clip(y, lo, hi)


def pool_opts(kh, kw, sh, sw, padding="SAME", act="NONE"):
    return dict(
        filter_height=kh,
        filter_width=kw,
        stride_h=sh,
        stride_w=sw,
        padding=padding,
        fused_activation_function=act,
    )


def close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op", POOLS)
@pytest.mark.parametrize("size", [(7, 7), (8, 8), (6, 9)])
@pytest.mark.parametrize("window,stride", [((2, 2), 2), ((3, 3), 2), ((3, 2), 1), ((3, 3), 3)])
def test_pool_same_padding_at_borders(rng, op, size, window, stride):
    # all-negative input: a max pool counting zero padding would return 0 at the borders
    x = -np.abs(rng.standard_normal((2, *size, 3))).astype(np.float32) - 0.5
    opts = pool_opts(*window, stride, stride)
    got = run_kernel(op, [x], opts)[0]
    close(got, ref_pool(op, x, *window, stride, stride, "SAME", "NONE"))


def test_average_pool_divides_by_in_bounds_count():
    x = np.ones((1, 3, 3, 1), np.float32)
    got = run_kernel("AVERAGE_POOL_2D", [x], pool_opts(3, 3, 1, 1))[0]
    np.testing.assert_array_equal(got, np.ones((1, 3, 3, 1), np.float32))


@pytest.mark.parametrize("op", POOLS)
@pytest.mark.parametrize("window,stride", [((2, 2), 2), ((3, 1), (1, 2)), ((5, 5), 1)])
def test_pool_valid(rng, op, window, stride):
    sh, sw = stride if isinstance(stride, tuple) else (stride, stride)
    x = rng.standard_normal((1, 9, 8, 4)).astype(np.float32)
    got = run_kernel(op, [x], pool_opts(*window, sh, sw, "VALID"))[0]
    close(got, ref_pool(op, x, *window, sh, sw, "VALID", "NONE"))


@pytest.mark.parametrize("op", POOLS)
@pytest.mark.parametrize("act", ACTS)
def test_pool_fused_activation(rng, op, act):
    x = (3 * rng.standard_normal((1, 6, 6, 2))).astype(np.float32)
    got = run_kernel(op, [x], pool_opts(2, 2, 1, 1, act=act))[0]
    close(got, ref_pool(op, x, 2, 2, 1, 1, "SAME", act))


@pytest.mark.parametrize("op", POOLS)
def test_pool_window_far_larger_than_input(rng, op):
    """SAME padding around a window of 2**20 rows: only the taps that reach the input are
    summed (a file can declare any window size; the work must stay the input's)."""
    x = rng.standard_normal((1, 5, 6, 3)).astype(np.float32)
    got = run_kernel(op, [x], pool_opts(1 << 20, 4, 2, 3))[0]
    close(got, ref_pool(op, x, 1 << 20, 4, 2, 3, "SAME", "NONE"))


def test_global_pool_window(rng):
    x = rng.standard_normal((2, 7, 7, 16)).astype(np.float32)
    for op in POOLS:
        got = run_kernel(op, [x], pool_opts(7, 7, 1, 1, "VALID"))[0]
        assert got.shape == (2, 1, 1, 16)
        close(got, ref_pool(op, x, 7, 7, 1, 1, "VALID", "NONE"))


@given(
    op=st.sampled_from(POOLS),
    n=st.integers(1, 2),
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    c=st.integers(1, 3),
    kh=st.integers(1, 4) | st.integers(5, 14),
    kw=st.integers(1, 4) | st.integers(5, 14),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    padding=st.sampled_from(["SAME", "VALID"]),
    seed=st.integers(0, 999),
)
@settings(max_examples=80, deadline=None)
def test_pool_property(op, n, h, w, c, kh, kw, sh, sw, padding, seed):
    if padding == "VALID" and (kh > h or kw > w):
        return
    x = np.random.default_rng(seed).standard_normal((n, h, w, c)).astype(np.float32)
    got = run_kernel(op, [x], pool_opts(kh, kw, sh, sw, padding))[0]
    close(got, ref_pool(op, x, kh, kw, sh, sw, padding, "NONE"))


@pytest.mark.parametrize(
    "shape,opts,match",
    [
        ((1, 2, 2, 1), pool_opts(3, 3, 1, 1, "VALID"), "does not fit"),
        ((2, 2, 1), pool_opts(2, 2, 1, 1), "4-D"),
        ((1, 4, 4, 1), pool_opts(0, 2, 1, 1), "window size"),
        ((1, 4, 4, 1), pool_opts(2, 2, 1, 1, "REFLECT"), "padding"),
    ],
)
def test_pool_rejects_bad_models(shape, opts, match):
    with pytest.raises(InvalidModelError, match=match):
        run_kernel("MAX_POOL_2D", [np.zeros(shape, np.float32)], opts)
