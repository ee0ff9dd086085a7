"""Layout, padding and shape-arithmetic kernels against references written here.

SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, PAD, PADV2, MIRROR_PAD, SHAPE, FILL, ZEROS_LIKE, RANGE,
REVERSE_V2, WHERE, SCATTER_ND, EMBEDDING_LOOKUP.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError
from edgelite.interpreter.kernels import lookup
from edgelite.interpreter.kernels.context import NeedsData, OpContext, TensorInfo

i32 = lambda v: np.array(v, np.int32)  # noqa: E731
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4)


def run1(op, inputs, options=None, const=None, out_dtype=None, **kw):
    """One output; every input but the first constant unless ``const`` says otherwise."""
    const = tuple(range(1, len(inputs))) if const is None else const
    out_dtype = out_dtype or np.asarray(inputs[0]).dtype
    return run_kernel(op, inputs, options=options, const=const, out_dtypes=(out_dtype,), **kw)[0]


def randn(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---------------------------------------------------------------- SPACE_TO_BATCH / BATCH_TO_SPACE


def space_to_batch_ref(x, block, pads, pad_value):
    """TFLite's loop, extended from NHWC to any number of spatial dims."""
    m = len(block)
    batch, spatial = x.shape[0], x.shape[1 : 1 + m]
    grid = [(n + a + b) // k for n, (a, b), k in zip(spatial, pads, block)]
    out = np.empty((batch * int(np.prod(block)), *grid, *x.shape[1 + m :]), x.dtype)
    for ob in range(out.shape[0]):
        b, shift = ob % batch, ob // batch
        offs = np.unravel_index(shift, block)
        for g in np.ndindex(*grid):
            src = [gi * k + o - a for gi, k, o, (a, _) in zip(g, block, offs, pads)]
            inside = all(0 <= s < n for s, n in zip(src, spatial))
            out[(ob, *g)] = x[(b, *src)] if inside else pad_value
    return out


@pytest.mark.parametrize(
    "shape,block,pads",
    [
        ((2, 4, 6, 3), [2, 3], [[0, 0], [0, 0]]),
        ((1, 3, 5, 2), [2, 2], [[1, 0], [0, 1]]),
        ((2, 5, 3), [3], [[2, 2]]),  # NHC
        ((1, 2, 2, 1), [1, 1], [[1, 1], [2, 0]]),
    ],
)
def test_space_to_batch_and_back(shape, block, pads):
    x = randn(shape, 7)
    y = run1("SPACE_TO_BATCH_ND", [x, i32(block), i32(pads)])
    np.testing.assert_array_equal(y, space_to_batch_ref(x, block, pads, 0))
    z = run1("BATCH_TO_SPACE_ND", [y, i32(block), i32(pads)])
    np.testing.assert_array_equal(z, x)


def test_space_to_batch_pads_with_zero_point():
    x = np.random.default_rng(8).integers(-128, 127, (1, 3, 3, 2)).astype(np.int8)
    q = {"in0": (0.1, -5), "out0": (0.1, -5)}
    y = run1("SPACE_TO_BATCH_ND", [x, i32([2, 2]), i32([[1, 0], [0, 1]])], quant=q)
    np.testing.assert_array_equal(y, space_to_batch_ref(x, [2, 2], [[1, 0], [0, 1]], -5))


def test_batch_to_space_crops():
    x = randn((8, 2, 3, 1), 9)
    y = run1("BATCH_TO_SPACE_ND", [x, i32([2, 2]), i32([[1, 0], [2, 1]])])
    assert y.shape == (2, 3, 3, 1)
    for b, oh, ow, c in np.ndindex(*y.shape):
        h, w = oh + 1, ow + 2  # position before cropping
        assert y[b, oh, ow, c] == x[((h % 2) * 2 + w % 2) * 2 + b, h // 2, w // 2, c]


@pytest.mark.parametrize(
    "op,shape,block,pads",
    [
        ("SPACE_TO_BATCH_ND", (1, 3, 4, 1), [2, 2], [[0, 0], [0, 0]]),  # 3 not a multiple of 2
        ("SPACE_TO_BATCH_ND", (1, 4, 4, 1), [2, 0], [[0, 0], [0, 0]]),
        ("SPACE_TO_BATCH_ND", (1, 4, 4, 1), [2, 2], [[-2, 0], [0, 0]]),
        ("BATCH_TO_SPACE_ND", (3, 2, 2, 1), [2, 2], [[0, 0], [0, 0]]),  # 3 not a multiple of 4
        ("BATCH_TO_SPACE_ND", (4, 2, 2, 1), [2, 2], [[3, 2], [0, 0]]),
        ("BATCH_TO_SPACE_ND", (4, 2, 1), [2, 2], [[0, 0], [0, 0]]),  # block longer than rank-2
    ],
)
def test_space_batch_errors(op, shape, block, pads):
    with pytest.raises(InvalidModelError):
        run1(op, [randn(shape), i32(block), i32(pads)])


# ---------------------------------------------------------------- PAD / PADV2 / MIRROR_PAD


def pad_ref(x, pads, value):
    out = np.full([n + a + b for n, (a, b) in zip(x.shape, pads)], value, x.dtype)
    for idx in np.ndindex(*x.shape):
        out[tuple(i + a for i, (a, _) in zip(idx, pads))] = x[idx]
    return out


@settings(max_examples=40, deadline=None)
@given(shapes, st.data())
def test_pad_random(shape, data):
    pads = [[data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))] for _ in shape]
    x = randn(shape)
    np.testing.assert_array_equal(run1("PAD", [x, i32(pads)]), pad_ref(x, pads, 0))
    np.testing.assert_array_equal(
        run1("PADV2", [x, i32(pads), np.float32(-2.5)]), pad_ref(x, pads, -2.5)
    )


def test_pad_quantized_uses_zero_point_and_int64_paddings():
    x = np.arange(6, dtype=np.int8).reshape(2, 3)
    pads = np.array([[1, 0], [2, 1]], np.int64)
    q = {"in0": (0.5, -3), "out0": (0.5, -3)}
    np.testing.assert_array_equal(run1("PAD", [x, pads], quant=q), pad_ref(x, pads, -3))
    u = x.astype(np.uint8)
    q = {"in0": (0.5, 128), "out0": (0.5, 128)}
    np.testing.assert_array_equal(run1("PAD", [u, pads], quant=q), pad_ref(u, pads, 128))
    # PADV2's value is already quantized: used as is
    y = run1(
        "PADV2",
        [x, pads, np.int8(7)],
        quant={"in0": (0.5, -3), "out0": (0.5, -3), "in2": (0.5, -3)},
    )
    np.testing.assert_array_equal(y, pad_ref(x, pads, 7))


def test_padv2_value_computed_at_run_time_and_scalar_input():
    x = randn((2, 2))
    y = run1("PADV2", [x, i32([[1, 1], [0, 0]]), np.float32(9)], const=(1,))
    np.testing.assert_array_equal(y, pad_ref(x, [[1, 1], [0, 0]], 9))
    s = run1("PAD", [np.float32(3), np.zeros((0, 2), np.int32)])
    assert s.shape == () and s == 3


def test_pad_errors():
    x = randn((2, 3))
    with pytest.raises(InvalidModelError):
        run1("PAD", [x, i32([[0, -1], [0, 0]])])
    with pytest.raises(InvalidModelError):
        run1("PAD", [x, i32([[0, 1]])])
    with pytest.raises(NeedsData):
        run1("PAD", [x, i32([[0, 1], [0, 0]])], const=())


def mirror_ref(x, pads, symmetric):
    out_shape = [n + a + b for n, (a, b) in zip(x.shape, pads)]
    out = np.empty(out_shape, x.dtype)
    for idx in np.ndindex(*out_shape):
        src = []
        for i, n, (a, _) in zip(idx, x.shape, pads):
            p = i - a
            if p < 0:
                p = -p - 1 if symmetric else -p
            elif p >= n:
                p = 2 * n - 1 - p if symmetric else 2 * n - 2 - p
            src.append(p)
        out[idx] = x[tuple(src)]
    return out


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
@settings(max_examples=30, deadline=None)
@given(shape=shapes, data=st.data())
def test_mirror_pad_random(mode, shape, data):
    limit = lambda n: n - 1 if mode == "REFLECT" else n  # noqa: E731
    pads = [
        [data.draw(st.integers(0, limit(n))), data.draw(st.integers(0, limit(n)))] for n in shape
    ]
    x = randn(shape)
    y = run1("MIRROR_PAD", [x, i32(pads)], {"mode": mode})
    np.testing.assert_array_equal(y, mirror_ref(x, pads, mode == "SYMMETRIC"))


def test_mirror_pad_limits():
    x = randn((3,))
    with pytest.raises(InvalidModelError):
        run1("MIRROR_PAD", [x, i32([[3, 0]])], {"mode": "REFLECT"})
    with pytest.raises(InvalidModelError):
        run1("MIRROR_PAD", [x, i32([[0, 4]])], {"mode": "SYMMETRIC"})
    np.testing.assert_array_equal(
        run1("MIRROR_PAD", [x, i32([[3, 3]])], {"mode": "SYMMETRIC"}),
        x[[2, 1, 0, 0, 1, 2, 2, 1, 0]],
    )


# ---------------------------------------------------------------- SHAPE / FILL / ZEROS_LIKE / RANGE


def _ctx(op, inputs, out_dtype, options=None):
    ins = [TensorInfo(i, f"in{i}", tuple(x.shape), x.dtype, None) for i, x in enumerate(inputs)]
    out = TensorInfo(9, "out", (), np.dtype(out_dtype))
    opts = None if options is None else SimpleNamespace(**options)
    return OpContext(op, 1, opts, ins, [out], location=f"test {op}")


@pytest.mark.parametrize("out_type,dtype", [("INT32", np.int32), ("INT64", np.int64)])
def test_shape_is_a_constant_output(out_type, dtype):
    ctx = _ctx("SHAPE", [np.zeros((2, 0, 5), np.float32)], np.int32, {"out_type": out_type})
    assert lookup("SHAPE", "float").prepare(ctx) is None
    out = ctx.outputs[0]
    assert out.shape == (3,) and out.dtype == dtype
    assert out.data.dtype == dtype and out.data.tolist() == [2, 0, 5]
    y = run_kernel("SHAPE", [np.zeros((), np.int8)], {"out_type": out_type}, out_dtypes=(dtype,))
    assert y[0].shape == (0,)


def test_shape_default_out_type_follows_declared_output():
    ctx = _ctx("SHAPE", [np.zeros((4,), np.float32)], np.int64, {"out_type": "FLOAT32"})
    lookup("SHAPE", "float").prepare(ctx)
    assert ctx.outputs[0].data.dtype == np.int64


@pytest.mark.parametrize("value", [np.float32(1.5), np.int32(-3), np.int64(7), np.bool_(True)])
def test_fill(value):
    y = run_kernel("FILL", [i32([2, 3]), value], const=(0, 1), out_dtypes=(value.dtype,))[0]
    assert y.shape == (2, 3) and y.dtype == value.dtype and (y == value).all()
    y = run_kernel("FILL", [np.array([0], np.int64), value], const=(0,), out_dtypes=(value.dtype,))[
        0
    ]
    assert y.shape == (0,)


def test_fill_errors():
    with pytest.raises(InvalidModelError):
        run_kernel("FILL", [i32([-1]), np.float32(0)], const=(0, 1))
    with pytest.raises(InvalidModelError):
        run_kernel("FILL", [i32([2]), np.float32(0)], const=(0, 1), out_dtypes=(np.int32,))
    with pytest.raises(NeedsData):
        run_kernel("FILL", [i32([2]), np.float32(0)], const=(1,))


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.int64])
def test_zeros_like(dtype):
    x = (np.arange(6).reshape(2, 3) + 1).astype(dtype)
    y = run1("ZEROS_LIKE", [x])
    assert y.shape == (2, 3) and y.dtype == dtype and not y.any()


@pytest.mark.parametrize(
    "start,limit,delta", [(0, 5, 1), (3, 18, 4), (5, -6, -3), (2, 2, 1), (-7, -1, 2)]
)
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_range_int(start, limit, delta, dtype):
    ins = [np.array(v, dtype) for v in (start, limit, delta)]
    y = run_kernel("RANGE", ins, const=(0, 1, 2), out_dtypes=(dtype,))[0]
    expected, v = [], start
    while (v < limit) if delta > 0 else (v > limit):
        expected.append(v)
        v += delta
    assert y.dtype == dtype and y.tolist() == expected


@settings(max_examples=50, deadline=None)
@given(
    st.floats(-10, 10, width=32),
    st.floats(0.015625, 3, width=32),
    st.integers(0, 40),
    st.booleans(),
)
def test_range_float_accumulates_like_tflite(start, step, count, down):
    start, delta = np.float32(start), np.float32(-step if down else step)
    limit = np.float32(start + delta * np.float32(count))
    y = run_kernel("RANGE", [start, limit, delta], const=(0, 1, 2))[0]
    n = int(np.ceil(np.abs((limit - start) / delta)))  # float32 arithmetic, as TFLite
    expected, v = [], start
    for _ in range(n):
        expected.append(v)
        v = np.float32(v + delta)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, np.array(expected, np.float32))


def test_range_errors():
    with pytest.raises(InvalidModelError):
        run_kernel("RANGE", [i32(0), i32(5), i32(0)], const=(0, 1, 2), out_dtypes=(np.int32,))
    with pytest.raises(InvalidModelError):
        run_kernel("RANGE", [i32(0), i32(5), i32(-1)], const=(0, 1, 2), out_dtypes=(np.int32,))
    with pytest.raises(NeedsData):
        run_kernel("RANGE", [i32(0), i32(5), i32(1)], const=(1, 2), out_dtypes=(np.int32,))


# ---------------------------------------------------------------- REVERSE_V2 / WHERE


@pytest.mark.parametrize("axes", [[0], [-1], [1, 2], [0, 2], [2, 0, 1]])
def test_reverse_v2(axes):
    x = randn((2, 3, 4), 10)
    for const in ((1,), ()):
        y = run1("REVERSE_V2", [x, i32(axes)], const=const)
        flip = {a % 3 for a in axes}
        for idx in np.ndindex(*x.shape):
            src = tuple(x.shape[d] - 1 - i if d in flip else i for d, i in enumerate(idx))
            assert y[idx] == x[src]


def test_reverse_v2_errors():
    with pytest.raises(InvalidModelError):
        run1("REVERSE_V2", [randn((2, 3)), i32([1, -1])])
    with pytest.raises(InvalidModelError):
        run1("REVERSE_V2", [randn((2, 3)), i32([2])])


@pytest.mark.parametrize("dtype", [np.bool_, np.float32, np.int32, np.int8])
def test_where(dtype):
    c = (np.random.default_rng(11).random((3, 4, 2)) < 0.4).astype(dtype)
    y = run_kernel("WHERE", [c], const=(0,), out_dtypes=(np.int64,))[0]
    expected = [list(idx) for idx in np.ndindex(*c.shape) if c[idx] != 0]
    assert y.dtype == np.int64 and y.tolist() == expected
    with pytest.raises(NeedsData):
        run_kernel("WHERE", [c], out_dtypes=(np.int64,))


# ---------------------------------------------------------------- SCATTER_ND / EMBEDDING_LOOKUP


def test_scatter_nd_accumulates_repeats():
    idx = i32([[1, 0], [3, 2], [1, 0]])
    upd = np.array([[1.0, 2.0], [3.0, 4.0], [10.0, 20.0]], np.float32)
    shape = i32([4, 3, 2])
    y = run_kernel("SCATTER_ND", [idx, upd, shape], const=(2,), out_dtypes=(np.float32,))[0]
    expected = np.zeros((4, 3, 2), np.float32)
    for (a, b), u in zip(idx, upd):
        expected[a, b] += u
    np.testing.assert_array_equal(y, expected)


def test_scatter_nd_errors():
    upd = np.ones((1, 2), np.float32)
    with pytest.raises(InvalidModelError):
        run_kernel("SCATTER_ND", [i32([[4]]), upd, i32([4, 2])], const=(2,))
    with pytest.raises(InvalidModelError):
        run_kernel("SCATTER_ND", [i32([[1]]), upd, i32([4, 3])], const=(2,))
    with pytest.raises(NeedsData):
        run_kernel("SCATTER_ND", [i32([[1]]), upd, i32([4, 2])])


def test_embedding_lookup():
    table = randn((5, 2, 3), 12)
    ids = i32([4, 0, 4])
    for const in ((1,), (0, 1)):
        y = run_kernel("EMBEDDING_LOOKUP", [ids, table], const=const)[0]
        for k, r in enumerate(ids):
            np.testing.assert_array_equal(y[k], table[r])
    with pytest.raises(InvalidModelError):
        run_kernel("EMBEDDING_LOOKUP", [i32([5]), table], const=(0, 1))
    with pytest.raises(InvalidModelError):
        run_kernel("EMBEDDING_LOOKUP", [i32([1]), table.astype(np.int8)], const=(1,))
