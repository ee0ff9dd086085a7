"""Activation kernels against float64 / math-module references written out in the test.

Covers RELU-family clamps, LEAKY_RELU and PRELU (any alpha, broadcasting), ELU, HARD_SWISH,
LOGISTIC, TANH, GELU (erf and tanh forms), SOFTMAX (beta, large magnitudes), LOG_SOFTMAX and
L2_NORMALIZATION.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError

F32 = np.float32


def elementwise(fn, x):
    """float64 reference: ``fn`` on every element of ``x`` as a Python float."""
    return np.array([fn(float(v)) for v in x.reshape(-1)], np.float64).reshape(x.shape)


def sample(shape=(3, 5, 7), scale=4.0, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(F32)


@pytest.mark.parametrize(
    "op,fn",
    [
        ("RELU", lambda v: max(v, 0.0)),
        ("RELU6", lambda v: min(max(v, 0.0), 6.0)),
        ("RELU_N1_TO_1", lambda v: min(max(v, -1.0), 1.0)),
        ("RELU_0_TO_1", lambda v: min(max(v, 0.0), 1.0)),
        ("TANH", math.tanh),
        ("ELU", lambda v: v if v > 0 else math.expm1(v)),
        ("HARD_SWISH", lambda v: v * min(max(v + 3.0, 0.0), 6.0) / 6.0),
    ],
)
def test_pointwise_activations(op, fn):
    x = np.concatenate([sample().reshape(-1), F32([-3, 0, 3, 6, -1, 1, 1e-7, -1e-7])])
    (got,) = run_kernel(op, [x])
    assert got.shape == x.shape and got.dtype == F32
    np.testing.assert_allclose(got, elementwise(fn, x), rtol=3e-7, atol=1e-30)


def logistic(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v)) if v > -700 else 0.0


@pytest.mark.filterwarnings("error")
def test_logistic_is_accurate_across_the_range():
    x = np.linspace(-87, 40, 20001).astype(F32)
    (got,) = run_kernel("LOGISTIC", [x])
    np.testing.assert_allclose(got, elementwise(logistic, x), rtol=5e-7)
    far = run_kernel("LOGISTIC", [F32([-200, 200])])[0]
    assert far.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("alpha", [0.0, 0.2, 1.0, 3.0, -0.5])
def test_leaky_relu_any_alpha(alpha):
    x = sample()
    (got,) = run_kernel("LEAKY_RELU", [x], {"alpha": alpha})
    want = elementwise(lambda v: v if v > 0 else float(F32(alpha)) * v, x)
    np.testing.assert_allclose(got, want, rtol=1e-7)


def test_leaky_relu_without_options_uses_schema_default_alpha_zero():
    (got,) = run_kernel("LEAKY_RELU", [F32([-2, 3])])
    assert got.tolist() == [0.0, 3.0]


@pytest.mark.parametrize(
    "x_shape,a_shape",
    [
        ((2, 4, 5, 3), (3,)),
        ((2, 4, 5, 3), (1, 1, 3)),
        ((4, 3), (4, 1)),
        ((3,), (2, 3)),
        ((2, 3), ()),
    ],
)
def test_prelu_broadcasts_alpha(x_shape, a_shape):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(x_shape).astype(F32)
    alpha = rng.uniform(-2, 2, a_shape).astype(F32)
    (got,) = run_kernel("PRELU", [x, alpha], const=(1,))
    shape = np.broadcast_shapes(x_shape, a_shape)
    want = np.empty(shape)
    xb, ab = np.broadcast_to(x, shape), np.broadcast_to(alpha, shape)
    for idx in np.ndindex(*shape):
        v = float(xb[idx])
        want[idx] = v if v >= 0 else v * float(ab[idx])
    assert got.shape == shape
    np.testing.assert_allclose(got, want, rtol=1e-7)


def test_prelu_rejects_bad_alpha():
    x = np.ones((2, 3), F32)
    with pytest.raises(InvalidModelError, match="do not broadcast"):
        run_kernel("PRELU", [x, np.ones(2, F32)])
    with pytest.raises(InvalidModelError, match="alpha"):
        run_kernel("PRELU", [x, np.ones(3, np.int32)])


# --- GELU ------------------------------------------------------------------------------------


def gelu_exact(v: float) -> float:
    return 0.5 * v * math.erfc(-v / math.sqrt(2.0))


def gelu_tanh(v: float) -> float:
    return 0.5 * v * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v**3)))


def test_gelu_erf_form_is_float32_accurate_including_tails():
    x = np.concatenate([np.linspace(-13, 10, 40001), [0.0, 1e-6, -1e-6, 1e-30]]).astype(F32)
    (got,) = run_kernel("GELU", [x], {"approximate": False})
    want = elementwise(gelu_exact, x)
    normal = np.abs(want) > np.finfo(F32).tiny  # the far tail is subnormal in float32
    np.testing.assert_allclose(got[normal], want[normal], rtol=2.5e-7)
    np.testing.assert_allclose(got[~normal], want[~normal], atol=2e-45)


def test_gelu_default_is_the_erf_form():
    x = sample(scale=3)
    np.testing.assert_array_equal(
        run_kernel("GELU", [x])[0], run_kernel("GELU", [x], {"approximate": False})[0]
    )


def test_gelu_non_contiguous_shapes_and_scalar():
    x = sample((70, 1000), scale=3)  # more than one 32768-element block
    (got,) = run_kernel("GELU", [x])
    np.testing.assert_allclose(got, elementwise(gelu_exact, x), rtol=2.5e-7, atol=1e-37)
    (s,) = run_kernel("GELU", [F32(1.5)])
    assert s.shape == () and math.isclose(s, gelu_exact(1.5), rel_tol=2.5e-7)


def test_gelu_tanh_form():
    x = np.linspace(-5, 8, 20001).astype(F32)
    (got,) = run_kernel("GELU", [x], {"approximate": True})
    # float32 like TFLite: ~1 ulp of x where 1 + tanh(...) cancels; the tail itself is tiny
    np.testing.assert_allclose(got, elementwise(gelu_tanh, x), rtol=2e-6, atol=4e-7)
    far = run_kernel("GELU", [F32([-12, 12])], {"approximate": True})[0]
    assert far.tolist() == [0.0, 12.0]


# --- SOFTMAX / LOG_SOFTMAX -------------------------------------------------------------------


def softmax_ref(x, beta):
    z = x.astype(np.float64) * beta
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@settings(max_examples=40, deadline=None)
@given(
    shape=array_shapes(min_dims=1, max_dims=5, max_side=6),
    beta=st.sampled_from([1.0, 0.5, 2.0, -1.0, 0.0]),
    scale=st.sampled_from([1.0, 100.0, 1e4]),
    seed=st.integers(0, 2**16),
)
def test_softmax_matches_float64(shape, beta, scale, seed):
    x = (np.random.default_rng(seed).standard_normal(shape) * scale).astype(F32)
    (got,) = run_kernel("SOFTMAX", [x], {"beta": beta})
    assert got.shape == x.shape
    np.testing.assert_allclose(got, softmax_ref(x, beta), rtol=2e-6, atol=1e-7)


@pytest.mark.filterwarnings("error")
def test_softmax_is_stable_for_huge_logits():
    x = F32([[1e30, 1e30, 0], [-1e30, -1e30, 5], [3e38, -3e38, 0]])
    (got,) = run_kernel("SOFTMAX", [x], {"beta": 1.0})
    np.testing.assert_array_equal(got, [[0.5, 0.5, 0], [0, 0, 1], [1, 0, 0]])
    # a negative beta shifts by the row minimum, so exp stays in range too
    (neg,) = run_kernel("SOFTMAX", [F32([[1000, 1001, 999]])], {"beta": -1.0})
    np.testing.assert_allclose(neg, softmax_ref(F32([[1000, 1001, 999]]), -1.0), rtol=1e-6)


def test_softmax_without_options_uses_schema_default_beta_zero():
    (got,) = run_kernel("SOFTMAX", [F32([[1, 2, 3, 4]])])
    np.testing.assert_array_equal(got, [[0.25] * 4])


def test_softmax_rejects_scalars_and_allows_empty_rows():
    with pytest.raises(InvalidModelError, match="rank"):
        run_kernel("SOFTMAX", [F32(1)], {"beta": 1.0})
    (got,) = run_kernel("SOFTMAX", [np.zeros((2, 0), F32)], {"beta": 1.0})
    assert got.shape == (2, 0)


@settings(max_examples=30, deadline=None)
@given(
    shape=array_shapes(min_dims=1, max_dims=4, max_side=6),
    scale=st.sampled_from([1.0, 100.0, 1e4]),
    seed=st.integers(0, 2**16),
)
def test_log_softmax_matches_float64(shape, scale, seed):
    x = (np.random.default_rng(seed).standard_normal(shape) * scale).astype(F32)
    (got,) = run_kernel("LOG_SOFTMAX", [x])
    z = x.astype(np.float64) - x.max(axis=-1, keepdims=True)
    want = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=2e-6)


# --- L2_NORMALIZATION ------------------------------------------------------------------------


def l2_ref(x):
    out = np.empty(x.shape)
    for idx in np.ndindex(*x.shape[:-1]):
        row = [float(v) for v in x[idx]]
        norm = max(math.sqrt(sum(v * v for v in row)), 1e-6)  # TFLite clamps the norm itself
        out[idx] = [v / norm for v in row]
    return out


@pytest.mark.parametrize("shape", [(7,), (3, 8), (2, 3, 4, 5), (1, 1, 1, 2, 3)])
def test_l2_normalization(shape):
    x = sample(shape)
    (got,) = run_kernel("L2_NORMALIZATION", [x])
    np.testing.assert_allclose(got, l2_ref(x), rtol=1e-6, atol=1e-7)


def test_l2_normalization_epsilon_clamps_the_norm():
    x = F32([[1e-8, 0], [0, 0], [3, 4], [1e-3, 0]])
    (got,) = run_kernel("L2_NORMALIZATION", [x])
    np.testing.assert_allclose(got, [[0.01, 0], [0, 0], [0.6, 0.8], [1, 0]], rtol=1e-6)


def test_l2_normalization_rejects_activation_and_scalars():
    with pytest.raises(InvalidModelError, match="fused activation"):
        run_kernel("L2_NORMALIZATION", [F32([1, 2])], {"fused_activation_function": "RELU"})
    with pytest.raises(InvalidModelError, match="rank"):
        run_kernel("L2_NORMALIZATION", [F32(2)])


@pytest.mark.parametrize("op", ["RELU", "LOGISTIC", "GELU", "SOFTMAX", "ELU"])
def test_activations_need_exactly_one_input(op):
    with pytest.raises(InvalidModelError, match="expects 1 input"):
        run_kernel(op, [F32([1]), F32([2])])
