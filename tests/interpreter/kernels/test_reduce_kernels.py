"""Reduction kernels (MEAN, SUM, REDUCE_*, ARG_MAX/ARG_MIN, CUMSUM) against loop references.

The references group input elements by their output index with plain Python loops, so axis
handling (negative, duplicate, empty lists, keep_dims) is checked independently of numpy's.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError, InvokeError
from edgelite.interpreter.kernels.context import NeedsData

F32, I32 = np.float32, np.int32
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def group_reduce(x, axes, keep, fn, dtype=np.float64):
    """Reduce ``x`` over ``axes`` (any order, negatives, duplicates) with ``fn(list)``."""
    rank = x.ndim
    red = {a % rank for a in axes}
    kept = tuple(1 if i in red else d for i, d in enumerate(x.shape))
    groups = {k: [] for k in np.ndindex(*kept)}
    for idx in np.ndindex(*x.shape):
        key = tuple(0 if i in red else v for i, v in enumerate(idx))
        groups[key].append(x[idx].item())
    out = np.empty(kept, dtype)
    for key, vals in groups.items():
        out[key] = fn(vals)
    return out if keep else out.reshape([d for i, d in enumerate(x.shape) if i not in red])


def trunc_mean(vals):
    if not vals:
        return 0
    s = sum(vals)
    q = abs(s) // len(vals)
    return q if s >= 0 else -q


FLOAT_REDUCERS = {
    "SUM": lambda v: math.fsum(v),
    "MEAN": lambda v: math.fsum(v) / len(v) if v else math.nan,
    "REDUCE_MAX": lambda v: max(v, default=-math.inf),
    "REDUCE_MIN": lambda v: min(v, default=math.inf),
    "REDUCE_PROD": lambda v: math.prod(v),
}


def axes_for(rank):
    """Axis lists for a rank: any length, negatives and duplicates allowed."""
    if rank == 0:
        return st.just([])
    return st.lists(st.integers(-rank, rank - 1), max_size=rank + 1)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), op=st.sampled_from(sorted(FLOAT_REDUCERS)), keep=st.booleans())
def test_float_reductions(data, op, keep):
    shape = data.draw(array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
    axes = data.draw(axes_for(len(shape)))
    x = np.random.default_rng(len(axes)).uniform(-2, 2, shape).astype(F32)
    (got,) = run_kernel(op, [x, np.array(axes, I32)], {"keep_dims": keep}, const=(1,))
    want = group_reduce(x, axes, keep, FLOAT_REDUCERS[op])
    assert got.shape == want.shape and got.dtype == F32
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-6)


INT_REDUCERS = {
    "SUM": lambda v: sum(v),
    "MEAN": trunc_mean,
    "REDUCE_MAX": lambda v: max(v),
    "REDUCE_MIN": lambda v: min(v),
    "REDUCE_PROD": lambda v: math.prod(v),
}


def wrap(v, bits: int) -> int:
    v = int(v) % (1 << bits)
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    op=st.sampled_from(sorted(INT_REDUCERS)),
    keep=st.booleans(),
    dtype=st.sampled_from([I32, np.int64]),
)
def test_int_reductions(data, op, keep, dtype):
    shape = data.draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    axes = data.draw(axes_for(len(shape)))
    x = np.random.default_rng(len(axes)).integers(-9, 10, shape).astype(dtype)
    (got,) = run_kernel(
        op, [x, np.array(axes, I32)], {"keep_dims": keep}, const=(1,), out_dtypes=(dtype,)
    )
    exact = group_reduce(x, axes, keep, INT_REDUCERS[op], dtype=object)
    want = np.vectorize(lambda v: wrap(v, np.dtype(dtype).itemsize * 8), otypes=[object])(exact)
    want = np.asarray(want).astype(dtype)  # products wrap in two's complement, as TFLite's do
    assert got.shape == want.shape and got.dtype == dtype
    np.testing.assert_array_equal(got, want)


def test_int_mean_truncates_toward_zero_with_a_wide_accumulator():
    x = np.array([[-7, 0], [5, 0], [-5, -2], [3, 0], [2**30, 2**30 + 2]], I32)
    (got,) = run_kernel("MEAN", [x, np.array([1], I32)], const=(1,), out_dtypes=(I32,))
    assert got.tolist() == [-3, 2, -3, 1, 2**30 + 1]


def test_int_sum_and_prod_wrap():
    x = np.full((2, 3), 2**30, I32)
    (s,) = run_kernel("SUM", [x, np.array([1], I32)], const=(1,), out_dtypes=(I32,))
    assert s.tolist() == [-(2**30)] * 2
    (p,) = run_kernel(
        "REDUCE_PROD", [np.full((1, 40), 3, I32), np.array([1], I32)], const=(1,), out_dtypes=(I32,)
    )
    assert p.tolist() == [(3**40) % 2**32 - 2**32 * ((3**40) % 2**32 >= 2**31)]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    "op,float_value,int_value",
    [
        ("SUM", 0.0, 0),
        ("MEAN", math.nan, 0),
        ("REDUCE_PROD", 1.0, 1),
        ("REDUCE_MAX", -math.inf, INT32_MIN),
        ("REDUCE_MIN", math.inf, INT32_MAX),
    ],
)
def test_empty_reductions(op, float_value, int_value):
    axis = np.array([1], I32)
    (f,) = run_kernel(op, [np.zeros((2, 0, 3), F32), axis], const=(1,))
    assert f.shape == (2, 3)
    np.testing.assert_array_equal(f, np.full((2, 3), float_value))
    (i,) = run_kernel(op, [np.zeros((2, 0), I32), axis], const=(1,), out_dtypes=(I32,))
    assert i.tolist() == [int_value] * 2


@pytest.mark.parametrize("op,fn,empty", [("REDUCE_ANY", any, False), ("REDUCE_ALL", all, True)])
def test_bool_reductions(op, fn, empty):
    x = np.random.default_rng(4).random((3, 4, 5)) > 0.7
    for axes in ([0], [-1, 1], [2, 0, 2], []):
        for keep in (False, True):
            (got,) = run_kernel(
                op,
                [x, np.array(axes, I32)],
                {"keep_dims": keep},
                const=(1,),
                out_dtypes=(np.bool_,),
            )
            np.testing.assert_array_equal(got, group_reduce(x, axes, keep, fn, bool))
    (e,) = run_kernel(
        op, [np.zeros((2, 0), bool), np.array([1], I32)], const=(1,), out_dtypes=(np.bool_,)
    )
    assert e.tolist() == [empty, empty]


def test_reduction_shapes_keep_dims_and_duplicates():
    x = np.ones((2, 3, 4), F32)
    cases = {
        (1, -2, 2): ((2,), (2, 1, 1)),
        (-1,): ((2, 3), (2, 3, 1)),
        (): ((2, 3, 4),) * 2,
        (0, 1, 2): ((), (1, 1, 1)),
    }
    for axes, (plain, kept) in cases.items():
        axis = np.array(axes, I32)
        assert run_kernel("SUM", [x, axis], const=(1,))[0].shape == plain
        assert run_kernel("SUM", [x, axis], {"keep_dims": True}, const=(1,))[0].shape == kept
    (s,) = run_kernel("MEAN", [x, np.array(-1, I32)], const=(1,))  # scalar axis tensor
    assert s.shape == (2, 3)
    (i64,) = run_kernel("SUM", [x, np.array([0], np.int64)], const=(1,))
    assert i64.shape == (3, 4) and (i64 == 2).all()


def test_reduction_without_options_drops_dims():
    (got,) = run_kernel("REDUCE_MAX", [F32([[1, 5], [7, 2]]), np.array([1], I32)], None, const=(1,))
    assert got.tolist() == [5, 7]


def test_reduction_axis_errors():
    x = np.ones((2, 3), F32)
    with pytest.raises(InvalidModelError, match="out of range"):
        run_kernel("SUM", [x, np.array([2], I32)], const=(1,))
    with pytest.raises(InvalidModelError, match="out of range"):
        run_kernel("MEAN", [x, np.array([-3], I32)], const=(1,))
    with pytest.raises(InvalidModelError, match="int32 or int64"):
        run_kernel("SUM", [x, np.array([1.0], F32)], const=(1,))
    with pytest.raises(NeedsData):
        run_kernel("SUM", [x, np.array([1], I32)])  # axis not constant: shape unknown


# --- ARG_MAX / ARG_MIN -----------------------------------------------------------------------


def arg_ref(x, axis, pick):
    """First index of the extreme value along ``axis`` (explicit loop)."""
    moved = np.moveaxis(x, axis, -1)
    out = np.empty(moved.shape[:-1], np.int64)
    for idx in np.ndindex(*moved.shape[:-1]):
        row = moved[idx].tolist()
        best = pick(row)
        out[idx] = row.index(best)
    return out


@settings(max_examples=50, deadline=None)
@given(
    data=st.data(),
    op=st.sampled_from(["ARG_MAX", "ARG_MIN"]),
    dtype=st.sampled_from([F32, I32, np.bool_]),
    out_type=st.sampled_from(["INT32", "INT64"]),
)
def test_arg_max_min(data, op, dtype, out_type):
    shape = data.draw(array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(axis + 7).integers(-2, 3, shape).astype(dtype)  # many ties
    out_dtype = {"INT32": I32, "INT64": np.int64}[out_type]
    (got,) = run_kernel(
        op,
        [x, np.array([axis], I32)],
        {"output_type": out_type},
        const=(1,),
        out_dtypes=(np.float32,),
    )
    assert got.dtype == out_dtype
    np.testing.assert_array_equal(got, arg_ref(x, axis, max if op == "ARG_MAX" else min))


def test_arg_max_output_type_falls_back_to_declared_index_dtype():
    x, axis = F32([[1, 3, 3], [3, 0, 3]]), np.array(1, I32)
    (got,) = run_kernel("ARG_MAX", [x, axis], None, const=(1,), out_dtypes=(I32,))
    assert got.dtype == I32 and got.tolist() == [1, 0]
    with pytest.raises(InvalidModelError, match="output_type"):
        run_kernel("ARG_MIN", [x, axis], {"output_type": "FLOAT32"}, const=(1,))


@pytest.mark.parametrize(
    "x,axis,err,match",
    [
        (np.zeros((2, 0), F32), np.array([1], I32), InvalidModelError, "size 0"),
        (np.ones((2, 3), F32), np.array([0, 1], I32), InvalidModelError, "exactly one"),
        (np.ones((2, 3), F32), np.array([2], I32), InvalidModelError, "out of range"),
    ],
)
def test_arg_max_rejects(x, axis, err, match):
    with pytest.raises(err, match=match):
        run_kernel("ARG_MAX", [x, axis], {"output_type": "INT32"}, const=(1,))


def test_arg_max_needs_a_constant_axis():
    with pytest.raises(NeedsData):
        run_kernel("ARG_MAX", [F32([[1, 2]]), np.array([1], I32)], {"output_type": "INT64"})


# --- CUMSUM ----------------------------------------------------------------------------------


def cumsum_ref(x, axis, exclusive, reverse):
    moved = np.moveaxis(x, axis, -1)
    out = np.empty(moved.shape, np.float64)
    for idx in np.ndindex(*moved.shape[:-1]):
        row = moved[idx].tolist()
        n = len(row)
        for i in range(n):
            span = range(i + 1, n) if reverse else range(i)
            if not exclusive:
                span = range(i, n) if reverse else range(i + 1)
            out[idx + (i,)] = sum(row[j] for j in span)
    return np.moveaxis(out, -1, axis)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    exclusive=st.booleans(),
    reverse=st.booleans(),
    dtype=st.sampled_from([F32, I32, np.int64]),
    const_axis=st.booleans(),
)
def test_cumsum(data, exclusive, reverse, dtype, const_axis):
    # shapes up to 6 x 6 x ...: both the slice-by-slice and the numpy-accumulate paths run
    shape = data.draw(array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(axis + 3).integers(-5, 6, shape).astype(dtype)
    opts = {"exclusive": exclusive, "reverse": reverse}
    (got,) = run_kernel(
        "CUMSUM",
        [x, np.array(axis, I32)],
        opts,
        const=(1,) if const_axis else (),
        out_dtypes=(dtype,),
    )
    assert got.shape == x.shape and got.dtype == dtype
    np.testing.assert_array_equal(got, cumsum_ref(x, axis, exclusive, reverse))


def test_cumsum_long_axis_and_wide_slices_agree_with_reference():
    rng = np.random.default_rng(5)
    for shape, axis in (((40, 3), 0), ((3, 40), 1), ((2, 5, 300), 1), ((300, 2), 1)):
        x = rng.uniform(-1, 1, shape).astype(F32)
        for exclusive in (False, True):
            (got,) = run_kernel(
                "CUMSUM",
                [x, np.array([axis], I32)],
                {"exclusive": exclusive, "reverse": True},
                const=(1,),
            )
            want = cumsum_ref(x.astype(np.float64), axis, exclusive, True)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_cumsum_errors():
    x = np.ones((2, 3), F32)
    with pytest.raises(InvalidModelError, match="out of range"):
        run_kernel("CUMSUM", [x, np.array(2, I32)], const=(1,))
    with pytest.raises(InvokeError, match="out of range"):
        run_kernel("CUMSUM", [x, np.array(-3, I32)])  # only known at run time
    with pytest.raises(InvalidModelError, match="exactly one"):
        run_kernel("CUMSUM", [x, np.array([0, 1], I32)], const=(1,))
    with pytest.raises(InvalidModelError, match="rank"):
        run_kernel("CUMSUM", [F32(1), np.array(0, I32)], const=(1,))
