"""Permutations that relate an IR tensor to the ONNX tensor it holds.

Every imported value carries a ``perm``: the IR tensor is ``np.transpose(onnx_value, perm)``.
Identity means ONNX layout; ``(0, 2, 3, 1)`` is NCHW held as NHWC. ONNX axis ``a`` therefore lives
at IR position ``perm.index(a)``. Keeping the permutation symbolic lets axis-aware ops (concat,
reduce, slice, ...) work on permuted tensors directly, so a TRANSPOSE is only emitted where an op
truly needs the ONNX order.
"""

from __future__ import annotations

import numpy as np

# Channels-last layout of a channels-first tensor, by rank (NCW -> NWC, NCHW -> NHWC).
CHANNELS_LAST = {3: (0, 2, 1), 4: (0, 2, 3, 1), 5: (0, 2, 3, 4, 1)}


def identity(rank: int) -> tuple:
    return tuple(range(rank))


def channels_last(rank: int) -> tuple:
    return CHANNELS_LAST.get(rank, identity(rank))


def is_identity(perm) -> bool:
    return all(i == p for i, p in enumerate(perm))


def permute(seq, perm) -> tuple:
    """``seq`` (a shape, a dyn mask) in IR order."""
    return tuple(seq[p] for p in perm)


def inverse(perm) -> tuple:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def ir_axis(perm, axis: int) -> int:
    """IR position of (possibly negative) ONNX ``axis``."""
    return perm.index(axis % len(perm))


def between(src, dst) -> tuple:
    """The TRANSPOSE perm taking an IR tensor in layout ``src`` to layout ``dst``."""
    return tuple(src.index(d) for d in dst)


def after_transpose(perm, onnx_perm) -> tuple:
    """Layout of ONNX ``Transpose(x, onnx_perm)`` when x is held in layout ``perm`` (no op)."""
    inv = inverse(onnx_perm)
    return tuple(inv[p] for p in perm)


def drop_axes(perm, axes) -> tuple:
    """Layout after removing ONNX ``axes`` (size-1 squeezes, keepdims=0 reductions)."""
    axes = set(axes)
    return tuple(p - sum(a < p for a in axes) for p in perm if p not in axes)


def keeps_memory_order(perm, shape) -> bool:
    """True when the IR tensor's bytes equal the ONNX tensor's (only size-1 dims move)."""
    seq = [p for p in perm if shape[p] != 1]
    return seq == sorted(seq)


def transpose_const(value: np.ndarray, perm) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(value, perm)) if perm else value


def _reshape_groups(a, b):
    """Pairs (dims of ``a``, dims of ``b``) with equal products, in order, size-1 dims left out:
    how a row-major reshape from shape ``a`` to ``b`` merges and splits dims."""
    ia = [i for i, d in enumerate(a) if d != 1]
    ib = [i for i, d in enumerate(b) if d != 1]
    groups, i, j = [], 0, 0
    while i < len(ia) and j < len(ib):
        ga, gb = [ia[i]], [ib[j]]
        pa, pb = a[ia[i]], b[ib[j]]
        i, j = i + 1, j + 1
        while pa != pb:
            if pa < pb and i < len(ia):
                ga.append(ia[i])
                pa, i = pa * a[ia[i]], i + 1
            elif pb < pa and j < len(ib):
                gb.append(ib[j])
                pb, j = pb * b[ib[j]], j + 1
            else:
                return None
        groups.append((ga, gb))
    return groups if i == len(ia) and j == len(ib) else None


def reshape_layout(shape, perm, out_shape):
    """A layout for ONNX ``Reshape(x, out_shape)`` reachable by a plain RESHAPE of x held in
    ``perm``, or None. Works when every group of merged/split dims stays contiguous and in
    order in the IR tensor: NHWC [N,H,W,C] reshaped as NCHW -> [N,C,H*W] is [N,H*W,C] held
    in layout (0, 2, 1)."""
    groups = _reshape_groups(shape, out_shape)
    return None if groups is None else _carry_layout(groups, 0, shape, perm, out_shape)


def reshape_source_layout(shape, out_shape, out_perm):
    """The input layout from which a plain RESHAPE gives ``Reshape(x, out_shape)`` held in
    ``out_perm`` (the converse of ``reshape_layout``), or None."""
    groups = _reshape_groups(shape, out_shape)
    return None if groups is None else _carry_layout(groups, 1, out_shape, out_perm, shape)


def _carry_layout(groups, side, known_shape, known_perm, other_shape):
    """Carry a layout across a reshape: ``groups`` pairs the dims merged/split on each side;
    ``side`` (0 input, 1 output) is the side whose layout ``known_perm`` is given. Returns the
    other side's layout, or None when a group is not contiguous and in order in memory."""
    seq = [d for d in known_perm if known_shape[d] != 1]
    starts = []
    for group in groups:
        run = group[side]
        k = seq.index(run[0])
        if seq[k : k + len(run)] != run:
            return None
        starts.append(k)
    order = [group[1 - side] for _, group in sorted(zip(starts, groups), key=lambda s: s[0])]
    layout = [d for run in order for d in run]
    for d in (d for d, size in enumerate(other_shape) if size == 1):
        layout.insert(layout.index(d - 1) + 1 if d > 0 else 0, d)
    return tuple(layout)
