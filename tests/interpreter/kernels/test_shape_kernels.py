"""Shape and data-movement kernels against references written here (loops or plain numpy).

RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE, CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V, TILE,
BROADCAST_TO, DEPTH_TO_SPACE, SPACE_TO_DEPTH; the rest are in test_layout_kernels.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError
from edgelite.interpreter.kernels.context import NeedsData

i32 = lambda v: np.array(v, np.int32)  # noqa: E731
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4)


def run1(op, inputs, options=None, const=None, out_dtype=None, **kw):
    """One output; every input but the first constant unless ``const`` says otherwise."""
    const = tuple(range(1, len(inputs))) if const is None else const
    out_dtype = out_dtype or np.asarray(inputs[0]).dtype
    return run_kernel(op, inputs, options=options, const=const, out_dtypes=(out_dtype,), **kw)[0]


def randn(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---------------------------------------------------------------- RESHAPE / SQUEEZE / EXPAND_DIMS


@pytest.mark.parametrize(
    "in_shape,target,expected",
    [
        ((2, 3, 4), [4, -1], (4, 6)),
        ((2, 3, 4), [-1], (24,)),
        ((1,), [], ()),  # a shape tensor with no elements: scalar
        ((), [1, 1], (1, 1)),
        ((0, 4), [-1, 2], (0, 2)),
        ((0, 4), [2, -1, 0], (2, 2, 0)),  # zero-sized target: -1 = 4 (non-zero dims) / 2
        ((3, 0), [0, -1], (0, 3)),
    ],
)
def test_reshape_shape_tensor(in_shape, target, expected):
    x = np.arange(int(np.prod(in_shape)), dtype=np.float32).reshape(in_shape)
    y = run1("RESHAPE", [x, i32(target).reshape(len(target))])
    assert y.shape == expected
    np.testing.assert_array_equal(y.reshape(-1), x.reshape(-1))


def test_reshape_from_option_and_legacy_scalar():
    x = np.arange(6, dtype=np.int32)
    assert run1("RESHAPE", [x], {"new_shape": np.array([3, 2])}).shape == (3, 2)
    assert run1("RESHAPE", [np.array([7], np.int8)], {"new_shape": np.array([0])}).shape == ()
    # TFLite reads the shape tensor only when it is a 1-D int32 vector; else the option
    y = run1("RESHAPE", [x, np.array([6, 1], np.int64)], {"new_shape": np.array([2, 3])})
    assert y.shape == (2, 3)


@pytest.mark.parametrize("target", [[-1, -1], [5, -1], [7], [-2, 3]])
def test_reshape_rejects_bad_targets(target):
    with pytest.raises(InvalidModelError):
        run1("RESHAPE", [np.zeros((2, 3), np.float32), i32(target)])


def test_reshape_needs_data_and_dtype_check():
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(NeedsData):
        run1("RESHAPE", [x, i32([3, 2])], const=())
    with pytest.raises(InvalidModelError, match="int32"):
        run1("RESHAPE", [x, i32([3, 2])], out_dtype=np.int32)


@settings(max_examples=50, deadline=None)
@given(shapes, st.data())
def test_reshape_random(shape, data):
    n = int(np.prod(shape))
    dims, rest = [], n
    for _ in range(data.draw(st.integers(0, 3))):
        d = data.draw(st.sampled_from([k for k in range(1, rest + 1) if rest % k == 0]))
        dims.append(d)
        rest //= d
    dims.append(rest)
    pos = data.draw(st.integers(0, len(dims) - 1))
    target = dims[:pos] + [-1] + dims[pos + 1 :]
    x = randn(shape)
    y = run1("RESHAPE", [x, i32(target)])
    assert y.shape == tuple(dims)
    assert list(y.reshape(-1)) == list(x.reshape(-1))


@pytest.mark.parametrize(
    "dims,expected", [(None, (3, 2)), ([], (3, 2)), ([0], (3, 1, 2)), ([-2, 0], (3, 2))]
)
def test_squeeze(dims, expected):
    x = randn((1, 3, 1, 2))
    y = run1("SQUEEZE", [x], None if dims is None else {"squeeze_dims": dims})
    assert y.shape == expected
    np.testing.assert_array_equal(y.reshape(-1), x.reshape(-1))


def test_squeeze_rejects_non_unit_and_out_of_range():
    for dims in ([1], [4], [-5]):
        with pytest.raises(InvalidModelError):
            run1("SQUEEZE", [randn((1, 3, 1, 2))], {"squeeze_dims": dims})


@pytest.mark.parametrize(
    "axis,expected", [(0, (1, 2, 3)), (2, (2, 3, 1)), (-1, (2, 3, 1)), (-3, (1, 2, 3))]
)
def test_expand_dims(axis, expected):
    x = randn((2, 3))
    for dtype in (np.int32, np.int64):
        y = run1("EXPAND_DIMS", [x, np.array(axis, dtype)])
        assert y.shape == expected
        np.testing.assert_array_equal(y.reshape(-1), x.reshape(-1))


def test_expand_dims_errors():
    x = randn((2, 3))
    with pytest.raises(InvalidModelError):
        run1("EXPAND_DIMS", [x, i32(3)])
    with pytest.raises(InvalidModelError):
        run1("EXPAND_DIMS", [x, i32(-4)])
    with pytest.raises(NeedsData):
        run1("EXPAND_DIMS", [x, i32(0)], const=())
    with pytest.raises(InvalidModelError, match="quantization"):
        run1("EXPAND_DIMS", [x.astype(np.int8), i32(0)], quant={"in0": (0.5, 1), "out0": (0.25, 1)})


# ---------------------------------------------------------------- TRANSPOSE


@settings(max_examples=50, deadline=None)
@given(shapes, st.data())
def test_transpose_random(shape, data):
    perm = data.draw(st.permutations(range(len(shape))))
    signed = [p - len(shape) if data.draw(st.booleans()) else p for p in perm]
    x = randn(shape)
    y = run1("TRANSPOSE", [x, i32(signed)])
    assert y.shape == tuple(shape[p] for p in perm)
    for idx in np.ndindex(*y.shape):
        src = [0] * len(shape)
        for k, p in enumerate(perm):
            src[p] = idx[k]
        assert y[idx] == x[tuple(src)]


@pytest.mark.parametrize("perm", [[0, 0, 1], [0, 1], [0, 1, 3]])
def test_transpose_rejects_non_permutations(perm):
    with pytest.raises(InvalidModelError):
        run1("TRANSPOSE", [randn((2, 3, 4)), i32(perm)])


# ---------------------------------------------------------------- CONCATENATION / PACK / UNPACK


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_concatenation_axes(axis):
    a = randn((2, 3, 4), 1)
    shape_b = list(a.shape)
    shape_b[axis] = 1
    b = randn(shape_b, 2)
    y = run_kernel("CONCATENATION", [a, b, a], {"axis": axis})[0]
    ax = axis % 3
    n = a.shape[ax]
    for idx in np.ndindex(*y.shape):
        k = idx[ax]
        src, pos = (a, k) if k < n else (b, k - n) if k == n else (a, k - n - 1)
        assert y[idx] == src[idx[:ax] + (pos,) + idx[ax + 1 :]]


def test_concatenation_relu_int_bool_and_scalars():
    a, b = np.array([[-1.0, 2.0]], np.float32), np.array([[3.0, -4.0]], np.float32)
    y = run_kernel("CONCATENATION", [a, b], {"axis": 0, "fused_activation_function": "RELU"})[0]
    np.testing.assert_array_equal(y, [[0, 2], [3, 0]])
    y = run_kernel("CONCATENATION", [i32([1]), i32([2, 3])], {"axis": 0}, out_dtypes=(np.int32,))[0]
    np.testing.assert_array_equal(y, [1, 2, 3])
    y = run_kernel(
        "CONCATENATION", [np.array([True]), np.array([False])], {"axis": -1}, out_dtypes=(np.bool_,)
    )[0]
    np.testing.assert_array_equal(y, [True, False])
    y = run_kernel(
        "CONCATENATION",
        [np.int32(4), np.int32(5)],
        {"axis": 0},
        const=(0, 1),
        out_dtypes=(np.int32,),
    )[0]
    np.testing.assert_array_equal(y, [4, 5])


def test_concatenation_errors():
    with pytest.raises(InvalidModelError):
        run_kernel("CONCATENATION", [randn((2, 3)), randn((3, 3))], {"axis": 1})
    with pytest.raises(InvalidModelError):
        run_kernel("CONCATENATION", [randn((2, 3)), randn((2, 3))], {"axis": 2})
    with pytest.raises(InvalidModelError):
        run_kernel(
            "CONCATENATION",
            [i32([1]), i32([2])],
            {"axis": 0, "fused_activation_function": "RELU"},
            out_dtypes=(np.int32,),
        )


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_pack_and_unpack(axis):
    xs = [randn((2, 3), k) for k in range(4)]
    y = run_kernel("PACK", xs, {"values_count": 4, "axis": axis}, const=(0, 1, 2, 3))[0]
    ax = axis % 3
    assert y.shape[ax] == 4
    for idx in np.ndindex(*y.shape):
        assert y[idx] == xs[idx[ax]][idx[:ax] + idx[ax + 1 :]]
    parts = run_kernel("UNPACK", [y], {"num": 4, "axis": axis}, out_dtypes=(np.float32,) * 4)
    for p, x in zip(parts, xs):
        np.testing.assert_array_equal(p, x)


def test_pack_scalars_of_a_shape_chain():
    # SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE: int32 scalars become the new shape vector
    y = run_kernel(
        "PACK",
        [np.int32(6), np.int32(-1)],
        {"values_count": 2, "axis": 0},
        const=(0, 1),
        out_dtypes=(np.int32,),
    )[0]
    assert y.dtype == np.int32 and y.tolist() == [6, -1]


def test_pack_unpack_errors():
    with pytest.raises(InvalidModelError):
        run_kernel("PACK", [randn((2,)), randn((3,))], {"values_count": 2, "axis": 0})
    with pytest.raises(InvalidModelError):
        run_kernel("PACK", [randn((2,))], {"values_count": 1, "axis": 2})
    with pytest.raises(InvalidModelError):
        run_kernel("UNPACK", [randn((2, 3))], {"num": 2, "axis": 1}, out_dtypes=(np.float32,) * 2)


# ---------------------------------------------------------------- SPLIT / SPLIT_V


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_split_axis_first(axis):
    x = randn((4, 6), 3)
    outs = run_kernel(
        "SPLIT", [i32(axis), x], {"num_splits": 2}, const=(0,), out_dtypes=(np.float32,) * 2
    )
    ax = axis % 2
    half = x.shape[ax] // 2
    for k, o in enumerate(outs):
        np.testing.assert_array_equal(o, np.take(x, range(k * half, (k + 1) * half), axis=ax))


def test_split_errors():
    x = randn((3, 4))
    with pytest.raises(InvalidModelError, match="evenly"):
        run_kernel(
            "SPLIT", [i32(0), x], {"num_splits": 2}, const=(0,), out_dtypes=(np.float32,) * 2
        )
    with pytest.raises(NeedsData):
        run_kernel("SPLIT", [i32(1), x], {"num_splits": 2}, out_dtypes=(np.float32,) * 2)


@pytest.mark.parametrize("sizes", [[1, 2, 3], [1, -1, 3], [-1, 0, 6], [6]])
def test_split_v(sizes):
    x = randn((2, 6), 4)
    outs = run_kernel(
        "SPLIT_V",
        [x, i32(sizes), i32(-1)],
        {"num_splits": len(sizes)},
        const=(1, 2),
        out_dtypes=(np.float32,) * len(sizes),
    )
    real = [6 - sum(s for s in sizes if s != -1) if s == -1 else s for s in sizes]
    start = 0
    for o, s in zip(outs, real):
        np.testing.assert_array_equal(o, x[:, start : start + s])
        start += s


@pytest.mark.parametrize("sizes", [[1, 2], [-1, -1, 2], [7, -1, 0], [2, -2, 6]])
def test_split_v_errors(sizes):
    with pytest.raises(InvalidModelError):
        run_kernel(
            "SPLIT_V",
            [randn((2, 6)), i32(sizes), i32(1)],
            {"num_splits": 3},
            const=(1, 2),
            out_dtypes=(np.float32,) * 3,
        )


# ---------------------------------------------------------------- TILE / BROADCAST_TO


@settings(max_examples=40, deadline=None)
@given(shapes, st.data())
def test_tile_random(shape, data):
    reps = [data.draw(st.integers(0, 3)) for _ in shape]
    x = randn(shape)
    y = run1("TILE", [x, np.array(reps, data.draw(st.sampled_from([np.int32, np.int64])))])
    assert y.shape == tuple(n * r for n, r in zip(shape, reps))
    for idx in np.ndindex(*y.shape):
        assert y[idx] == x[tuple(i % n for i, n in zip(idx, shape))]


def test_broadcast_to():
    x = randn((3, 1), 5)
    y = run1("BROADCAST_TO", [x, i32([2, 3, 4])])
    assert y.shape == (2, 3, 4)
    for a, b, c in np.ndindex(2, 3, 4):
        assert y[a, b, c] == x[b, 0]
    with pytest.raises(InvalidModelError):
        run1("BROADCAST_TO", [x, i32([2, 4])])
    with pytest.raises(InvalidModelError):
        run1("BROADCAST_TO", [x, i32([3])])


# ---------------------------------------------------------------- DEPTH <-> SPACE


@pytest.mark.parametrize("bs", [1, 2, 3])
def test_depth_to_space_and_back(bs):
    n, h, w, co = 2, 2, 3, 2
    x = randn((n, h, w, co * bs * bs), 6)
    y = run1("DEPTH_TO_SPACE", [x], {"block_size": bs})
    assert y.shape == (n, h * bs, w * bs, co)
    for b, oh, ow, c in np.ndindex(*y.shape):
        assert y[b, oh, ow, c] == x[b, oh // bs, ow // bs, ((oh % bs) * bs + ow % bs) * co + c]
    z = run1("SPACE_TO_DEPTH", [y], {"block_size": bs})
    np.testing.assert_array_equal(z, x)


def test_depth_space_errors():
    with pytest.raises(InvalidModelError):
        run1("DEPTH_TO_SPACE", [randn((1, 2, 2, 6))], {"block_size": 2})
    with pytest.raises(InvalidModelError):
        run1("SPACE_TO_DEPTH", [randn((1, 3, 2, 1))], {"block_size": 2})
    with pytest.raises(InvalidModelError):
        run1("SPACE_TO_DEPTH", [randn((1, 2, 2, 1))], {"block_size": 0})
