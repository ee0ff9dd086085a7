"""DENSIFY: expand a sparse constant (TFLite SparsityParameters) into its dense tensor.

The sparse layout stores the dims in ``traversal_order``; each level is DENSE (all
``dense_size`` indices) or SPARSE_CSR (``array_segments``/``array_indices``). Dims listed in
``block_map`` are split into a block index (outer) and an offset within the block (inner dims
after the original rank). We walk the levels breadth-first with numpy, so a large weight
expands in a few vector operations rather than a Python loop per element.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels.registry import kernel


def _vector(v) -> np.ndarray:
    return np.zeros(0, np.int64) if v is None else np.asarray(v.values, np.int64)


def densify(values: np.ndarray, sparsity, shape: tuple) -> np.ndarray:
    order = [int(d) for d in sparsity.traversal_order]
    block_map = [int(d) for d in (sparsity.block_map if sparsity.block_map is not None else [])]
    meta = sparsity.dim_metadata or []
    rank = len(shape)
    if len(order) != rank + len(block_map) or len(meta) != len(order):
        raise ValueError("traversal_order/dim_metadata do not match the tensor's rank")
    pos = np.zeros(1, np.int64)
    coords = np.zeros((len(order), 1), np.int64)  # coordinate per expanded dim
    sizes = [0] * len(order)
    for level, dim in enumerate(order):
        m = meta[level]
        if m.format == "DENSE":
            s = int(m.dense_size)
            sizes[dim] = s
            idx = np.tile(np.arange(s, dtype=np.int64), pos.size)
            parent = np.repeat(np.arange(pos.size), s)
            pos = pos[parent] * s + idx
        else:
            seg, ind = _vector(m.array_segments), _vector(m.array_indices)
            if pos.size and (pos.max() + 1 >= seg.size):
                raise ValueError("array_segments is too short")
            starts, ends = seg[pos], seg[pos + 1]
            counts = ends - starts
            parent = np.repeat(np.arange(pos.size), counts)
            pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            pos = pos + starts[parent]
            if pos.size and pos.max() >= ind.size:
                raise ValueError("array_indices is too short")
            idx = ind[pos]
        coords = coords[:, parent]
        coords[dim] = idx
    if pos.size and pos.max() >= values.size:
        raise ValueError("sparse values are fewer than the indices need")
    dense = np.zeros(shape, values.dtype)
    full = []
    for d in range(rank):
        c = coords[d]
        if d in block_map:
            inner = rank + block_map.index(d)
            c = c * sizes[inner] + coords[inner]
        full.append(c)
    dense[tuple(full)] = values[pos]
    return dense


@kernel("DENSIFY", "any")
def prepare_densify(ctx):
    x = ctx.inputs[0]
    spec = ctx.runtime.sg.tensors[x.index] if ctx.runtime is not None else None
    sparsity = getattr(getattr(spec, "raw", None), "sparsity", None)
    if sparsity is None or x.data is None:
        raise ctx.error(f"input '{x.name}' is not a constant sparse tensor")
    shape = ctx.outputs[0].shape
    try:
        dense = densify(np.asarray(x.data).reshape(-1), sparsity, shape)
    except ValueError as e:
        raise ctx.error(f"sparse tensor '{x.name}': {e}") from None
    ctx.set_output(0, dense.shape, dense.dtype)
    ctx.outputs[0].data = dense
