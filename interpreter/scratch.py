"""Temporary buffers shared by the kernels of one subgraph.

A kernel's temporaries (requantization passes, cast pixels, accumulators) are dead once its
``run`` returns, and a subgraph runs one op at a time: one buffer per purpose, as large as the
largest request, serves every kernel instead of each holding its own (on MobileNetV2 0.35
int8 that is ~20 MB less).
"""

from __future__ import annotations

import math

import numpy as np


class Scratch:
    """Named byte buffers that grow to the largest request made under each name."""

    def __init__(self):
        self.buffers: dict = {}

    def array(self, name: str, shape, dtype) -> ScratchArray:
        """Reserve a ``shape`` x ``dtype`` array under ``name`` (made on first use)."""
        shape = tuple(int(d) for d in shape)
        nbytes = math.prod(shape) * np.dtype(dtype).itemsize
        buf = self.buffers.get(name)
        if buf is None or buf.size < nbytes:
            self.buffers[name] = np.empty(nbytes, np.uint8)
        return ScratchArray(self, name, shape, np.dtype(dtype), nbytes)

    @property
    def nbytes(self) -> int:
        return sum(b.size for b in self.buffers.values())


class ScratchArray:
    """An array over the start of a ``Scratch`` buffer, resolved on first use: by then every
    kernel of the subgraph has made its request and the buffer has its final size (a kernel
    run at prepare, to fold constants, keeps the buffer of that moment)."""

    __slots__ = ("scratch", "name", "shape", "dtype", "nbytes", "array")

    def __init__(self, scratch: Scratch, name: str, shape: tuple, dtype, nbytes: int):
        self.scratch, self.name, self.shape, self.dtype, self.nbytes = (
            scratch, name, shape, dtype, nbytes,
        )  # fmt: skip
        self.array = None

    def get(self) -> np.ndarray:
        if self.array is None:
            raw = self.scratch.buffers[self.name][: self.nbytes]
            self.array = raw.view(self.dtype).reshape(self.shape)
        return self.array


def pool_of(ctx) -> Scratch:
    """The subgraph's shared ``Scratch`` of a kernel's context, or a private one when the
    kernel is prepared outside an interpreter."""
    pool = getattr(getattr(ctx, "runtime", None), "scratch", None)
    return pool if pool is not None else Scratch()


def scratch_array(ctx, name: str, shape, dtype) -> ScratchArray:
    """A temporary array for a kernel, from its subgraph's shared buffers."""
    return pool_of(ctx).array(name, shape, dtype)
