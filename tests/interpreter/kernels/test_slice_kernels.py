"""SLICE, STRIDED_SLICE, GATHER and GATHER_ND against references written here.

STRIDED_SLICE is checked three ways: an element-by-element transcription of TFLite's begin / end /
mask rules, numpy basic indexing (which agrees with TFLite on well-formed specs), and literal
results that LiteRT's reference kernels produce for TFLite's quirks.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel

from edgelite.errors import InvalidModelError
from edgelite.interpreter.kernels.context import NeedsData

i32 = lambda v: np.array(v, np.int32)  # noqa: E731


def run1(op, inputs, options=None, const=None, out_dtype=None, **kw):
    """One output; every input but the first constant unless ``const`` says otherwise."""
    const = tuple(range(1, len(inputs))) if const is None else const
    out_dtype = out_dtype or np.asarray(inputs[0]).dtype
    return run_kernel(op, inputs, options=options, const=const, out_dtypes=(out_dtype,), **kw)[0]


# ---------------------------------------------------------------- SLICE


def test_slice_basic_and_minus_one():
    x = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    y = run1("SLICE", [x, i32([1, 0, 2]), i32([2, -1, 2])])
    assert y.shape == (2, 4, 2)
    for a, b, c in np.ndindex(*y.shape):
        assert y[a, b, c] == x[1 + a, b, 2 + c]


def test_slice_int64_operands_and_empty():
    x = np.arange(12, dtype=np.int8).reshape(3, 4)
    y = run1("SLICE", [x, np.array([3, 1], np.int64), np.array([0, 2], np.int64)])
    assert y.shape == (0, 2) and y.dtype == np.int8


@pytest.mark.parametrize(
    "begin,size",
    [([0, 5], [1, 1]), ([-1, 0], [1, 1]), ([1, 1], [3, 1]), ([0, 0], [1, -2]), ([0], [1])],
)
def test_slice_rejects_boxes_outside(begin, size):
    with pytest.raises(InvalidModelError):
        run1("SLICE", [np.zeros((3, 4), np.float32), i32(begin), i32(size)])


def test_slice_needs_data_when_begin_is_computed():
    with pytest.raises(NeedsData):
        run1("SLICE", [np.zeros((3, 4), np.float32), i32([0, 0]), i32([1, 1])], const=(2,))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_slice_random(data):
    shape = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    begin = [data.draw(st.integers(0, n)) for n in shape]
    size = [data.draw(st.sampled_from([-1, *range(0, n - b + 1)])) for n, b in zip(shape, begin)]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    y = run1("SLICE", [x, i32(begin), i32(size)])
    stop = [n if s == -1 else b + s for n, b, s in zip(shape, begin, size)]
    assert y.shape == tuple(e - b for b, e in zip(begin, stop))
    for idx in np.ndindex(*y.shape):
        assert y[idx] == x[tuple(b + i for b, i in zip(begin, idx))]


# ---------------------------------------------------------------- STRIDED_SLICE

MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def tflite_strided_slice(x, begin, end, strides, offset=False, **masks):
    """Element-by-element transcription of TFLite's strided slice rules.

    Returns None where TFLite would leave a non-empty output unwritten (a shrunk axis whose
    range holds no element); the kernel refuses those specs.
    """
    m = {k: masks.get(k, 0) for k in MASKS}
    bit = lambda mask, i: (m[mask] >> i) & 1  # noqa: E731
    n, rank = len(begin), x.ndim
    n_new = sum(1 for i in range(n) if bit("new_axis_mask", i) and not bit("ellipsis_mask", i))
    eff = rank + n_new
    # 1. which effective dims the ellipsis covers and which are new axes
    ell, new, grow, i = set(), set(), 0, 0
    while i < eff:
        if bit("ellipsis_mask", i):
            last = max(i + 1, min(i + 1 + n_new + rank - n, eff))
            ell, grow = set(range(i, last)), last - i - 1
            i = last
        else:
            if bit("new_axis_mask", i - grow):
                new.add(i)
            i += 1
    # 2. a (size, begin, end, stride, bmask, emask, shrink) entry per effective dim
    dims, shape, seen_new = [], [], 0
    for i in range(eff):
        if i in new:
            dims.append((1, 0, 1, 1, 0, 0, 0))
            shape.append(1)
            seen_new += 1
            continue
        size = x.shape[i - seen_new]
        shape.append(size)
        if i in ell or i >= n + grow:
            dims.append((size, 0, 0, 1, 1, 1, 0))
        else:
            j = i - grow if ell and i > max(ell) else i
            flags = [bit(k, j) for k in ("begin_mask", "end_mask", "shrink_axis_mask")]
            dims.append((size, begin[j], end[j], strides[j], *flags))
    # 3. start / stop per dim
    ranges, keep = [], []
    for size, b, e, s, bm, em, shrink in dims:
        lo, hi = (0, size) if s > 0 else (-1, size - 1)
        start = b + size if b < 0 else b
        start = min(max(start, lo), hi)
        if bm:
            start = 0 if s > 0 else size - 1
        if shrink:
            ranges.append(list(range(start, start if start >= size else start + 1, s)))
            keep.append(False)
            continue
        stop = e + start if offset else e
        stop = stop + size if stop < 0 else stop
        stop = min(max(stop, lo), hi)
        if em:
            stop = size if s > 0 else -1
        ranges.append(list(range(start, stop, s)))
        keep.append(True)
    out_shape = [len(r) for r, k in zip(ranges, keep) if k]
    if any(len(r) != 1 for r, k in zip(ranges, keep) if not k) and np.prod(out_shape) != 0:
        return None
    xe = x.reshape(shape)
    vals = [xe[idx] for idx in itertools.product(*ranges)]
    return np.array(vals, x.dtype).reshape(out_shape)


def ss(x, begin, end, strides, **opts):
    options = {k: 0 for k in MASKS}
    options["offset"] = False
    options.update(opts)
    return run1("STRIDED_SLICE", [x, i32(begin), i32(end), i32(strides)], options)


def test_reference_agrees_with_hand_worked_cases():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(tflite_strided_slice(x, [1, 0], [3, 4], [1, 2]), x[1:3, 0:4:2])
    np.testing.assert_array_equal(
        tflite_strided_slice(x, [0, -1], [0, 0], [1, -1], begin_mask=1, end_mask=3), x[:, ::-1]
    )


@pytest.mark.parametrize(
    "begin,end,strides,opts,expected",
    [
        # x[1:3, ::2]
        ([1, 0], [3, 0], [1, 2], {"end_mask": 2}, [[4, 6], [8, 10]]),
        # x[::-1, -1]
        (
            [0, -1],
            [0, 0],
            [-1, 1],
            {"begin_mask": 1, "end_mask": 1, "shrink_axis_mask": 2},
            [11, 7, 3],
        ),
        # begins far past either end clamp; negative strides run backwards from the end
        ([10, -1], [-10, -10], [-1, -2], {}, [[11, 9], [7, 5], [3, 1]]),
        ([-5, -9], [2, 4], [1, 1], {}, [[0, 1, 2, 3], [4, 5, 6, 7]]),
        # x[:, None, 1:3]
        ([0, 0, 1], [2, 0, 3], [1, 1, 1], {"new_axis_mask": 2}, [[[1, 2]], [[5, 6]]]),
        # x[..., None]: a new-axis bit after the ellipsis
        (
            [0, 0],
            [0, 0],
            [1, 1],
            {"ellipsis_mask": 1, "new_axis_mask": 2},
            np.arange(12).reshape(3, 4, 1),
        ),
        # TFLite quirk: an ellipsis always covers >= 1 dim, so x[..., 0, 1] on a 2-D input is
        # x[:, 0] (numpy would give the scalar x[0, 1]); LiteRT returns [0, 4, 8]
        ([0, 0, 1], [0, 1, 2], [1, 1, 1], {"ellipsis_mask": 1, "shrink_axis_mask": 6}, [0, 4, 8]),
        # TFLite quirk: begin_mask on a shrunk axis picks element 0 (LiteRT returns [1])
        ([2, 1], [3, 2], [1, 1], {"begin_mask": 1, "shrink_axis_mask": 1}, [1]),
        # offset=True: end holds sizes relative to begin
        ([1, 1], [2, 3], [1, 2], {"offset": True}, [[5, 7], [9, 11]]),
    ],
)
def test_strided_slice_literal_cases(begin, end, strides, opts, expected):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    y = ss(x, begin, end, strides, **opts)
    expected = np.asarray(expected, np.float32)
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(tflite_strided_slice(x, begin, end, strides, **opts), expected)


def test_strided_slice_short_spec_takes_trailing_dims_whole():
    x = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    np.testing.assert_array_equal(ss(x, [1], [2], [1]), x[1:2])


def test_strided_slice_empty_and_zero_size_dims():
    x = np.zeros((0, 3), np.float32)
    assert ss(x, [0, 0], [5, 3], [1, 1]).shape == (0, 3)
    assert ss(x, [0, 0], [5, 3], [-1, 1]).shape == (0, 3)
    y = np.arange(5, dtype=np.float32)
    assert ss(y, [3], [1], [1]).shape == (0,)  # forward stride, end before begin


def test_strided_slice_shrink_to_scalar():
    y = ss(np.arange(5, dtype=np.float32), [-2], [0], [1], shrink_axis_mask=1)
    assert y.shape == () and y == 3


def test_strided_slice_errors():
    x = np.zeros((3, 4), np.float32)
    with pytest.raises(InvalidModelError, match="0"):
        ss(x, [0, 0], [1, 1], [1, 0])
    with pytest.raises(InvalidModelError):  # shrink index past the end: nothing to take
        ss(x, [3, 0], [4, 1], [1, 1], shrink_axis_mask=1)
    assert ss(x, [3, 0], [4, 0], [1, 1], shrink_axis_mask=1).shape == (0,)  # empty anyway
    with pytest.raises(InvalidModelError):  # offset past the end
        ss(x, [2, 0], [2, 1], [1, 1], offset=True)
    with pytest.raises(InvalidModelError):
        ss(x, [0, 0], [1], [1, 1])
    with pytest.raises(InvalidModelError):
        ss(x, [0, 0], [1, 1], [1, 1], ellipsis_mask=3)
    # new-axis bits past the 2-entry spec: ignored past the effective rank (as LiteRT does),
    # refused where they would make an axis (LiteRT then reads past the begin/end arrays)
    r = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(ss(r, [1, 1], [3, 3], [1, 1], new_axis_mask=0b1100), r[1:3, 1:3])
    with pytest.raises(InvalidModelError, match="new_axis_mask bit 2 lies past the 2-entry"):
        ss(x, [1, 1], [3, 3], [1, 1], new_axis_mask=0b110)
    with pytest.raises(InvalidModelError, match="past the"):
        ss(x, [1, 1], [3, 3], [1, 1], new_axis_mask=-1)


def test_strided_slice_needs_data_for_computed_bounds():
    x = np.zeros((3, 4), np.float32)
    options = {k: 0 for k in MASKS}
    with pytest.raises(NeedsData):
        run1("STRIDED_SLICE", [x, i32([0, 0]), i32([1, 1]), i32([1, 1])], options, const=(1, 3))


def test_strided_slice_folds_shape_chain_in_int32():
    # SHAPE -> STRIDED_SLICE(shrink) -> value, as TensorFlow's shape chains do
    shape = np.array([2, 7, 5], np.int32)
    y = ss(shape, [1], [2], [1], shrink_axis_mask=1)
    assert y.dtype == np.int32 and y.shape == () and int(y) == 7


@st.composite
def numpy_like_spec(draw):
    """A spec with a plain numpy meaning: (x, begin, end, strides, masks, numpy index)."""
    shape = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4))
    rank = len(shape)
    use_ellipsis = draw(st.booleans()) and rank >= 2
    n_real = draw(st.integers(1, rank - 1 if use_ellipsis else rank))
    kinds = ["real"] * n_real + (["ellipsis"] if use_ellipsis else [])
    kinds += ["new"] * draw(st.integers(0, 2))
    kinds = draw(st.permutations(kinds))
    begin, end, strides, masks, index = [], [], [], dict.fromkeys(MASKS, 0), []
    dims = iter(range(rank))
    ellipsis_at = kinds.index("ellipsis") if use_ellipsis else None
    if use_ellipsis:  # dims the ellipsis stands for (>= 1: numpy and TFLite agree then)
        before = kinds[:ellipsis_at].count("real")
        skipped = rank - n_real
        real_dims = list(range(before)) + list(range(before + skipped, rank))
        dims = iter(real_dims)
    for j, kind in enumerate(kinds):
        b = e = 0
        s = 1
        if kind == "ellipsis":
            masks["ellipsis_mask"] |= 1 << j
            index.append(Ellipsis)
        elif kind == "new":
            masks["new_axis_mask"] |= 1 << j
            index.append(None)
        else:
            size = shape[next(dims)]
            if draw(st.integers(0, 3)) == 0:
                b = draw(st.integers(-size, size - 1))
                masks["shrink_axis_mask"] |= 1 << j
                index.append(b)
            else:
                b = draw(st.integers(-size - 3, size + 3))
                e = draw(st.integers(-size - 3, size + 3))
                s = draw(st.sampled_from([-3, -2, -1, 1, 2, 3]))
                bm, em = draw(st.booleans()), draw(st.booleans())
                masks["begin_mask"] |= bm << j
                masks["end_mask"] |= em << j
                index.append(slice(None if bm else b, None if em else e, s))
        begin.append(b)
        end.append(e)
        strides.append(s)
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    return x, begin, end, strides, masks, tuple(index)


@settings(max_examples=300, deadline=None)
@given(numpy_like_spec())
def test_strided_slice_matches_numpy_indexing(spec):
    x, begin, end, strides, masks, index = spec
    y = ss(x, begin, end, strides, **masks)
    expected = x[index]
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y, expected)


@st.composite
def any_spec(draw):
    shape = draw(st.lists(st.integers(0, 5), min_size=1, max_size=4))
    n = draw(st.integers(1, len(shape) + 1))
    ints = st.lists(st.integers(-8, 8), min_size=n, max_size=n)
    strides = draw(st.lists(st.sampled_from([-3, -2, -1, 1, 2, 3]), min_size=n, max_size=n))
    masks = {k: draw(st.integers(0, (1 << n) - 1)) for k in MASKS if k != "ellipsis_mask"}
    if draw(st.booleans()):
        masks["ellipsis_mask"] = 1 << draw(st.integers(0, n - 1))
    return shape, draw(ints), draw(ints), strides, masks


@settings(max_examples=300, deadline=None)
@given(any_spec())
def test_strided_slice_matches_tflite_rules(spec):
    shape, begin, end, strides, masks = spec
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    try:
        expected = tflite_strided_slice(x, begin, end, strides, **masks)
    except IndexError:
        expected = None  # new-axis bits that land outside the effective input
    if expected is None:
        with pytest.raises(InvalidModelError):
            ss(x, begin, end, strides, **masks)
        return
    y = ss(x, begin, end, strides, **masks)
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y, expected)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_strided_slice_offset_mode(data):
    shape = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    begin = [data.draw(st.integers(0, n - 1)) for n in shape]
    sizes = [data.draw(st.integers(0, n - b)) for n, b in zip(shape, begin)]
    strides = [data.draw(st.integers(1, 3)) for _ in shape]
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    y = ss(x, begin, sizes, strides, offset=True)
    expected = x[tuple(slice(b, b + s, k) for b, s, k in zip(begin, sizes, strides))]
    np.testing.assert_array_equal(y, expected)


# ---------------------------------------------------------------- GATHER


def gather_ref(x, idx, axis, batch_dims):
    """out[b..., o..., i..., r...] = x[b..., o..., idx[b..., i...], r...] by explicit loops."""
    axis = axis % x.ndim
    bd = batch_dims % idx.ndim if batch_dims < 0 else batch_dims
    out_shape = x.shape[:axis] + idx.shape[bd:] + x.shape[axis + 1 :]
    out = np.empty(out_shape, x.dtype)
    ni = idx.ndim - bd
    for o in np.ndindex(*out_shape):
        lead, mid, rest = o[:axis], o[axis : axis + ni], o[axis + ni :]
        k = idx[lead[:bd] + mid]
        out[o] = x[lead + (k,) + rest]
    return out


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
@pytest.mark.parametrize("idx_shape", [(), (4,), (2, 3)])
def test_gather_axes(axis, idx_shape):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    idx = rng.integers(0, x.shape[axis], idx_shape).astype(np.int32)
    for const in ((1,), ()):
        y = run1("GATHER", [x, idx], {"axis": axis, "batch_dims": 0}, const=const)
        np.testing.assert_array_equal(y, gather_ref(x, idx, axis, 0))


@pytest.mark.parametrize("axis,batch_dims", [(1, 1), (2, 1), (2, 2), (-1, -1), (2, -1)])
def test_gather_batch_dims(axis, batch_dims):
    rng = np.random.default_rng(4)
    x = rng.integers(-100, 100, (2, 3, 4, 2)).astype(np.int8)
    idx = rng.integers(0, x.shape[axis], (2, 3, 5)[: (batch_dims % 3) + 1]).astype(np.int64)
    if batch_dims < 0:
        idx = rng.integers(0, x.shape[axis], (2, 3)).astype(np.int16)
    y = run1("GATHER", [x, idx], {"axis": axis, "batch_dims": batch_dims}, const=())
    np.testing.assert_array_equal(y, gather_ref(x, idx, axis, batch_dims))


@pytest.mark.parametrize("bad", [-1, 3])
def test_gather_rejects_negative_and_large_indices(bad):
    x = np.zeros((3, 2), np.float32)
    idx = i32([0, bad])
    with pytest.raises(InvalidModelError):  # constant indices: caught at prepare
        run1("GATHER", [x, idx], {"axis": 0})
    with pytest.raises(InvalidModelError):  # computed indices: caught at run
        run1("GATHER", [x, idx], {"axis": 0}, const=())


def test_gather_rejects_bad_batch_dims():
    x, idx = np.zeros((2, 3), np.float32), np.zeros((3, 1), np.int32)
    with pytest.raises(InvalidModelError):
        run1("GATHER", [x, idx], {"axis": 1, "batch_dims": 1})  # batch sizes 2 vs 3
    with pytest.raises(InvalidModelError):
        run1("GATHER", [x, np.zeros((2,), np.int32)], {"axis": 0, "batch_dims": 1})


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_gather_random(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    axis = data.draw(st.integers(0, len(shape) - 1))
    bd = data.draw(st.integers(0, axis))
    ishape = shape[:bd] + data.draw(st.lists(st.integers(0, 3), max_size=2))
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape).astype(np.float32)
    idx = rng.integers(0, shape[axis], ishape).astype(np.int32)
    y = run1("GATHER", [x, idx], {"axis": axis, "batch_dims": bd})
    np.testing.assert_array_equal(y, gather_ref(x, idx, axis, bd))


# ---------------------------------------------------------------- GATHER_ND


def gather_nd_ref(p, idx):
    nd = idx.shape[-1]
    out = np.empty(idx.shape[:-1] + p.shape[nd:], p.dtype)
    for lead in np.ndindex(*idx.shape[:-1]):
        out[lead] = p[tuple(int(v) for v in idx[lead])]
    return out


@pytest.mark.parametrize("nd", [0, 1, 2, 3])
def test_gather_nd_depths(nd):
    rng = np.random.default_rng(6)
    p = rng.standard_normal((3, 4, 2)).astype(np.float32)
    idx = np.zeros((2, 3, nd), np.int32)
    for k in range(nd):
        idx[..., k] = rng.integers(0, p.shape[k], (2, 3))
    for const in ((1,), ()):
        np.testing.assert_array_equal(
            run1("GATHER_ND", [p, idx], const=const), gather_nd_ref(p, idx)
        )


def test_gather_nd_errors():
    p = np.zeros((3, 4), np.float32)
    with pytest.raises(InvalidModelError):
        run1("GATHER_ND", [p, i32([[0, -1]])])
    with pytest.raises(InvalidModelError):
        run1("GATHER_ND", [p, i32([[3, 0]])], const=())
    with pytest.raises(InvalidModelError):
        run1("GATHER_ND", [p, i32([[0, 0, 0]])])  # index deeper than params


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_gather_nd_random(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    nd = data.draw(st.integers(1, len(shape)))
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
    rng = np.random.default_rng(7)
    p = rng.integers(0, 50, shape).astype(np.int32)
    idx = np.zeros((*lead, nd), np.int64)
    for k in range(nd):
        idx[..., k] = rng.integers(0, shape[k], lead)
    np.testing.assert_array_equal(run1("GATHER_ND", [p, idx]), gather_nd_ref(p, idx))
