"""Quantization parameters, observers and metrics."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edgelite.quant import metrics, params
from edgelite.quant.observers import Histogram, MinMax


@settings(max_examples=200, deadline=None)
@given(st.floats(-50, 0), st.floats(0, 50))
def test_asymmetric_params_cover_range_and_zero_is_exact(lo, hi):
    q = params.asymmetric(lo, hi)
    assert -128 <= int(q.zero_point[0]) <= 127
    zero = params.quantize(np.zeros(1), q)
    assert params.dequantize(zero, q)[0] == 0.0
    if hi - lo > 1e-3:
        x = np.array([lo, hi])
        back = params.dequantize(params.quantize(x, q), q)
        assert np.all(np.abs(back - x) <= q.scale[0] * 0.5 + 1e-6)


def test_all_zero_tensor_gets_finite_params():
    q = params.asymmetric(0.0, 0.0)
    assert np.isfinite(q.scale).all() and q.scale[0] > 0


def test_per_channel_weights_are_symmetric_and_narrow():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((8, 3, 3, 4)) * np.arange(1, 9)[:, None, None, None]
    q = params.weight_params(w, axis=0)
    assert q.scale.shape == (8,) and np.all(q.zero_point == 0) and q.axis == 0
    qw = params.quantize(w, q, narrow=True)
    assert qw.min() >= -127 and qw.max() <= 127
    for c in range(8):
        assert np.abs(qw[c]).max() == 127  # each channel uses its full range
    err = np.abs(params.dequantize(qw, q) - w)
    assert np.all(err <= q.scale[:, None, None, None] / 2 + 1e-6)


def test_rounding_is_half_away_from_zero():
    q = params.symmetric(127.0)  # scale 1
    np.testing.assert_array_equal(params.quantize([0.5, -0.5, 1.5, -2.5], q), [1, -1, 2, -3])


def test_bias_scale_is_input_times_weight():
    qi = params.asymmetric(-1, 1)
    qw = params.weight_params(np.array([[1.0, -2.0], [0.5, 0.25]]), axis=0)
    b, qb = params.quantize_bias(np.array([0.3, -0.7]), qi, qw)
    np.testing.assert_allclose(qb.scale, qi.scale[0] * qw.scale, rtol=1e-6)
    np.testing.assert_allclose(b * qb.scale, [0.3, -0.7], atol=qb.scale.max())
    assert b.dtype == np.int32


def test_minmax_and_histogram_methods():
    rng = np.random.default_rng(1)
    data = np.concatenate([rng.standard_normal(100_000), [40.0, -35.0]])  # two outliers
    mm = MinMax()
    mm.observe(data[:50_000])
    mm.observe(data[50_000:])
    assert mm.range() == (-35.0, 40.0)
    h = Histogram(*mm.range())
    h.observe(data)
    for method in ("percentile", "mse", "entropy"):
        lo, hi = h.range(method)
        assert -35.0 <= lo < 0 < hi <= 40.0
    for method in ("percentile", "entropy"):  # these ignore the two far outliers
        lo, hi = h.range(method)
        assert hi < 6 and lo > -6, f"{method} should clip the outliers: {(lo, hi)}"

    # MSE weighs the outliers' squared error too: it must at least beat min/max on it
    def err(r):
        q = params.asymmetric(*r)
        return np.mean((params.dequantize(params.quantize(data, q), q) - data) ** 2)

    assert err(h.range("mse")) <= err(mm.range())


def test_metrics():
    x = np.linspace(-1, 1, 101)
    assert metrics.sqnr_db(x, x) == float("inf")
    noisy = x + 0.01
    assert 30 < metrics.sqnr_db(x, noisy) < 40
    assert metrics.cosine(x, 2 * x) > 0.999999
    assert np.isclose(metrics.max_abs_error(x, noisy), 0.01)
