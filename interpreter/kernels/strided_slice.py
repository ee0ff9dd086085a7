"""STRIDED_SLICE with TFLite's exact index rules (TFLite ``strided_slice`` and the
``DynamicStridedSliceParams`` helpers of its reference kernel).

The slice spec (begin/end/strides inputs plus five bit masks) is first expanded over the
"effective" input: one entry per input dim plus one per new axis, with the ellipsis covering the
dims the spec leaves out and trailing dims taken whole. Then, per effective dim:

- start: negative values wrap once (+size), then clamp to [0, size] (stride > 0) or
  [-1, size - 1] (stride < 0); begin_mask replaces it with 0 or size - 1;
- stop: ``offset`` makes ``end`` relative to start; negative values wrap once, clamp like start
  but to [0, size] / [-1, size - 1]; end_mask replaces it with size or -1;
- shrink_axis_mask keeps only the element at start and drops the dim.

All of this depends on the spec only, so prepare turns it into one numpy index tuple.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from edgelite.interpreter.kernels._shape_util import int_vector, same_dtype
from edgelite.interpreter.kernels.registry import kernel


class Dim(NamedTuple):
    """One effective dim of a slice spec."""

    size: int
    begin: int
    end: int
    stride: int
    begin_masked: bool
    end_masked: bool
    shrink: bool
    from_spec: bool  # begin/end come from the spec (not an ellipsis, new or trailing dim)


WHOLE, NEW = (0, 0, 1, True, True, False, False), (0, 1, 1, False, False, False, False)


def _bit(mask: int, i: int) -> bool:
    return bool((mask >> i) & 1)


def _effective_dims(n: int, rank: int, ellipsis: int, new_axis: int):
    """Effective rank, the effective dims the ellipsis covers, the new-axis dims and the
    number of dims the ellipsis adds beyond its own spec entry."""
    num_add = sum(1 for i in range(n) if _bit(new_axis, i) and not _bit(ellipsis, i))
    eff = rank + num_add
    ell_dims, new_dims, extra = [], set(), 0
    i = 0
    while i < eff:
        if _bit(ellipsis, i):
            stop = max(i + 1, min(i + 1 + num_add + rank - n, eff))
            ell_dims = list(range(i, stop))
            extra = stop - i - 1
            i = stop
            continue
        if _bit(new_axis, i - extra):
            if i - extra >= n:  # TFLite would read the spec arrays past their end
                raise ValueError(f"new_axis_mask bit {i - extra} lies past the {n}-entry spec")
            new_dims.add(i)
        i += 1
    return eff, ell_dims, new_dims, extra


def expand_spec(ctx, shape, begin, end, strides, opts) -> list:
    """The spec as one ``Dim`` per effective dim."""
    n, rank = len(begin), len(shape)
    try:
        eff, ell_dims, new_dims, extra = _effective_dims(
            n, rank, opts["ellipsis_mask"], opts["new_axis_mask"]
        )
    except ValueError as e:
        raise ctx.error(f"{e} (masks {opts}, input shape {shape})") from None
    dims, added_axes = [], 0
    for i in range(eff):
        if i in new_dims:
            dims.append(Dim(1, *NEW))
            added_axes += 1
            continue
        src = i - added_axes
        if not 0 <= src < rank:
            raise ctx.error(f"slice spec (masks {opts}) does not fit an input of shape {shape}")
        if i in ell_dims or i >= n + extra:
            dims.append(Dim(shape[src], *WHOLE))
            continue
        j = i - extra if ell_dims and i > ell_dims[-1] else i
        bits = [_bit(opts[k], j) for k in ("begin_mask", "end_mask", "shrink_axis_mask")]
        dims.append(Dim(shape[src], begin[j], end[j], strides[j], *bits, True))
    return dims


def _clamp(v: int, size: int, stride: int) -> int:
    if v < 0:
        v += size
    lo, hi = (0, size) if stride > 0 else (-1, size - 1)
    return min(max(v, lo), hi)


def axis_range(d: Dim, offset: bool) -> tuple:
    """(start, stop) of one effective dim, as TFLite's StartForAxis / EndForAxis."""
    start = _clamp(d.begin, d.size, d.stride)
    if d.begin_masked:
        start = 0 if d.stride > 0 else d.size - 1
    if d.shrink:
        return start, start if start >= d.size else start + 1
    stop = _clamp(d.end + start if offset else d.end, d.size, d.stride)
    if d.end_masked:
        stop = d.size if d.stride > 0 else -1
    return start, stop


def _index(start: int, count: int, stride: int):
    """A Python slice selecting ``count`` elements from ``start`` by ``stride``."""
    if count == 0:
        return slice(0, 0)
    last = start + stride * (count - 1)
    stop = last + 1 if stride > 0 else (last - 1 if last > 0 else None)
    return slice(start, stop, stride)


def _offset_count(size_spec: int, stride: int) -> int:
    """Output length TFLite declares in ``offset`` mode: the spec's size over the stride."""
    if (size_spec < 0) != (stride < 0) or size_spec == 0:
        return 0
    return (size_spec - 1) // stride + 1 if stride > 0 else (size_spec + 1) // stride + 1


def _options(ctx) -> dict:
    names = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
    opts = {k: int(ctx.opt(k, 0) or 0) for k in names}
    if bin(opts["ellipsis_mask"]).count("1") > 1:
        raise ctx.error("ellipsis_mask has more than one bit set")
    return opts


@kernel("STRIDED_SLICE", "any")
def prepare_strided_slice(ctx):
    same_dtype(ctx)
    if len(ctx.inputs) != 4 or any(t is None for t in ctx.inputs):
        raise ctx.error("STRIDED_SLICE takes (input, begin, end, strides)")
    shape = tuple(ctx.inputs[0].shape)
    n = ctx.inputs[1].shape[0] if len(ctx.inputs[1].shape) == 1 else -1
    begin = int_vector(ctx, 1, "begin", n)
    end = int_vector(ctx, 2, "end", n)
    strides = int_vector(ctx, 3, "strides", n)
    if 0 in strides:
        raise ctx.error(f"strides {strides} contain 0")
    opts, offset = _options(ctx), bool(ctx.opt("offset", False))

    eff_shape, index, out_shape, unwritten = [], [], [], []
    for d in expand_spec(ctx, shape, begin, end, strides, opts):
        start, stop = axis_range(d, offset)
        count = len(range(start, stop, d.stride))
        eff_shape.append(d.size)
        if d.shrink:
            if count != 1:  # TFLite would leave the output unwritten
                unwritten.append(
                    f"shrink index {d.begin} (stride {d.stride}) selects nothing "
                    f"in a dim of size {d.size}"
                )
            index.append(start)
            continue
        plain = d.from_spec and not (d.begin_masked or d.end_masked)
        if offset and plain and count != _offset_count(d.end, d.stride):
            raise ctx.error(f"offset slice of size {d.end} from {d.begin} leaves dim {d.size}")
        index.append(_index(start, count, d.stride))
        out_shape.append(count)
    ctx.set_output(0, out_shape)
    if 0 in out_shape:
        return lambda ins, outs: None  # an empty output: nothing to copy, nothing unwritten
    if unwritten:
        raise ctx.error("; ".join(unwritten))
    eff_shape, index = tuple(eff_shape), tuple(index)

    def run(ins, outs):
        np.copyto(outs[0], ins[0].reshape(eff_shape)[index])

    return run
