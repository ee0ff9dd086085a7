"""FULLY_CONNECTED and BATCH_MATMUL float kernels against einsum / loop references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError

CLAMPS = {"NONE": (-np.inf, np.inf), "RELU": (0, np.inf), "RELU6": (0, 6),
          "RELU_N1_TO_1": (-1, 1)}  # fmt: skip


def close(got, want):
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * scale)


def f32(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


# -- FULLY_CONNECTED ---------------------------------------------------------------------------


def ref_fc(x, w, b, act, keep):
    rows = x.reshape(-1, w.shape[1]).astype(np.float64)
    y = np.einsum("bi,oi->bo", rows, w.astype(np.float64))
    if b is not None:
        y += b
    y = np.clip(y, *CLAMPS[act])
    return y.reshape(*x.shape[:-1], w.shape[0]) if keep else y


@pytest.mark.parametrize("act", list(CLAMPS))
@pytest.mark.parametrize("with_bias", [True, False])
def test_fc_activation_and_bias(rng, act, with_bias):
    x, w = 3 * f32(rng, 4, 6), f32(rng, 5, 6)
    b = f32(rng, 5) if with_bias else None
    got = run_kernel(
        "FULLY_CONNECTED", [x, w, b], dict(fused_activation_function=act), const=(1, 2)
    )[0]
    close(got, ref_fc(x, w, b, act, False))


@pytest.mark.parametrize("shape", [(2, 3, 6), (1, 6), (6,), (2, 2, 2, 6)])
@pytest.mark.parametrize("keep", [True, False])
def test_fc_keep_num_dims(rng, shape, keep):
    x, w, b = f32(rng, *shape), f32(rng, 4, 6), f32(rng, 4)
    got = run_kernel("FULLY_CONNECTED", [x, w, b], dict(keep_num_dims=keep), const=(1, 2))[0]
    want = ref_fc(x, w, b, "NONE", keep)
    assert got.shape == want.shape == ((*shape[:-1], 4) if keep else (x.size // 6, 4))
    close(got, want)


def test_fc_flattens_input_to_rows_of_in_features(rng):
    """Without keep_num_dims the input is any shape whose size is a multiple of `in`."""
    x, w = f32(rng, 2, 3, 4), f32(rng, 5, 6)
    got = run_kernel("FULLY_CONNECTED", [x, w], dict(keep_num_dims=False), const=(1,))[0]
    assert got.shape == (4, 5)
    close(got, ref_fc(x, w, None, "NONE", False))


def test_fc_weights_and_bias_computed_at_run_time(rng):
    x, w, b = f32(rng, 3, 7), f32(rng, 2, 7), f32(rng, 2)
    got = run_kernel(
        "FULLY_CONNECTED", [x, w, b], dict(fused_activation_function="RELU"), const=()
    )[0]
    close(got, ref_fc(x, w, b, "RELU", False))


def test_fc_without_options_table(rng):
    x, w = f32(rng, 2, 3), f32(rng, 4, 3)
    close(
        run_kernel("FULLY_CONNECTED", [x, w], None, const=(1,))[0],
        ref_fc(x, w, None, "NONE", False),
    )


@pytest.mark.parametrize(
    "x_shape,w_shape,opts,match",
    [
        ((2, 5), (3, 4), {}, "does not flatten"),
        ((2, 8), (3, 4), {"keep_num_dims": True}, "keep_num_dims"),
        ((2, 4), (3, 4, 1), {}, "2-D"),
        ((2, 4), (3, 4), {"weights_format": "SHUFFLED4x16INT8"}, "SHUFFLED4x16INT8"),
        ((2, 4), (3, 4), {"fused_activation_function": "TANH"}, "activation"),
    ],
)
def test_fc_rejects_bad_models(x_shape, w_shape, opts, match):
    ins = [np.zeros(x_shape, np.float32), np.zeros(w_shape, np.float32)]
    with pytest.raises(InvalidModelError, match=match):
        run_kernel("FULLY_CONNECTED", ins, opts, const=(1,))


def test_fc_rejects_bias_of_wrong_size():
    ins = [np.zeros((2, 4), np.float32), np.zeros((3, 4), np.float32), np.zeros(2, np.float32)]
    with pytest.raises(InvalidModelError, match="bias"):
        run_kernel("FULLY_CONNECTED", ins, {}, const=(1, 2))


# -- BATCH_MATMUL ------------------------------------------------------------------------------


def ref_batch_matmul(x, y, adj_x, adj_y):
    """Loop over the broadcast batch index; each product written out as an einsum."""
    a = np.swapaxes(x, -1, -2) if adj_x else x
    b = np.swapaxes(y, -1, -2) if adj_y else y
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, (*batch, *a.shape[-2:])).astype(np.float64)
    b = np.broadcast_to(b, (*batch, *b.shape[-2:])).astype(np.float64)
    out = np.zeros((*batch, a.shape[-2], b.shape[-1]))
    for idx in itertools.product(*[range(d) for d in batch]):
        out[idx] = np.einsum("mk,kn->mn", a[idx], b[idx])
    return out


@pytest.mark.parametrize("adj_x", [False, True])
@pytest.mark.parametrize("adj_y", [False, True])
@pytest.mark.parametrize("const_y", [False, True])
def test_batch_matmul_adjoints(rng, adj_x, adj_y, const_y):
    x = f32(rng, 2, 3, *((4, 5) if adj_x else (5, 4)))
    y = f32(rng, 2, 3, *((6, 4) if adj_y else (4, 6)))
    got = run_kernel(
        "BATCH_MATMUL", [x, y], dict(adj_x=adj_x, adj_y=adj_y), const=(1,) if const_y else ()
    )[0]
    assert got.shape == (2, 3, 5, 6)
    close(got, ref_batch_matmul(x, y, adj_x, adj_y))


@pytest.mark.parametrize(
    "x_shape,y_shape",
    [
        ((2, 1, 3, 4), (1, 5, 4, 2)),
        ((3, 4), (2, 2, 4, 5)),
        ((2, 3, 3, 4), (4, 2)),
        ((1, 3, 4), (6, 4, 2)),
        ((2, 1, 1, 3, 4), (3, 1, 4, 1)),
    ],
)
def test_batch_matmul_broadcasts_batch_dims(rng, x_shape, y_shape):
    x, y = f32(rng, *x_shape), f32(rng, *y_shape)
    got = run_kernel("BATCH_MATMUL", [x, y], dict(adj_x=False, adj_y=False))[0]
    close(got, ref_batch_matmul(x, y, False, False))


@given(
    batch=st.lists(st.integers(1, 3), min_size=0, max_size=3),
    m=st.integers(1, 5),
    k=st.integers(1, 5),
    n=st.integers(1, 5),
    adj_x=st.booleans(),
    adj_y=st.booleans(),
    drop=st.lists(st.booleans(), min_size=3, max_size=3),
    seed=st.integers(0, 999),
)
@settings(max_examples=60, deadline=None)
def test_batch_matmul_property(batch, m, k, n, adj_x, adj_y, drop, seed):
    rng = np.random.default_rng(seed)
    ybatch = [1 if d else b for b, d in zip(batch, drop)]  # some dims broadcast from 1
    x = f32(rng, *batch, *((k, m) if adj_x else (m, k)))
    y = f32(rng, *ybatch, *((n, k) if adj_y else (k, n)))
    got = run_kernel("BATCH_MATMUL", [x, y], dict(adj_x=adj_x, adj_y=adj_y))[0]
    close(got, ref_batch_matmul(x, y, adj_x, adj_y))


@pytest.mark.parametrize(
    "x_shape,y_shape,opts,match",
    [
        ((2, 3, 4), (2, 5, 6), {}, "inner dimensions"),
        ((2, 3, 4), (2, 5, 4), {"adj_y": False}, "inner dimensions"),
        ((2, 3, 4), (3, 4, 5), {}, "do not broadcast"),
        ((4,), (4, 5), {}, "rank >= 2"),
    ],
)
def test_batch_matmul_rejects_bad_models(x_shape, y_shape, opts, match):
    ins = [np.zeros(x_shape, np.float32), np.zeros(y_shape, np.float32)]
    with pytest.raises(InvalidModelError, match=match):
        run_kernel("BATCH_MATMUL", ins, opts)
