"""What the importer knows about each ONNX value while it walks the graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from edgelite.converter.importers.onnx.layout import identity, permute
from edgelite.converter.ir import Tensor


@dataclass(eq=False)
class Value:
    """An ONNX value: a constant known at import, or an IR tensor held in layout ``perm``.

    ``shape`` is static (a dynamic batch counts as 1); ``dyn`` marks the ONNX dims that stay
    dynamic in the converted model (written as -1).
    """

    name: str
    shape: tuple
    dtype: np.dtype
    const: Optional[np.ndarray] = None
    tensor: Optional[Tensor] = None
    perm: tuple = ()
    dyn: tuple = ()
    placeholder: bool = False  # stands for the output of a node that could not be converted

    def __post_init__(self):
        self.shape = tuple(int(d) for d in self.shape)
        self.dtype = np.dtype(self.dtype)
        if not self.perm:
            self.perm = identity(len(self.shape))
        if not self.dyn:
            self.dyn = (False,) * len(self.shape)

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def is_const(self) -> bool:
        return self.const is not None

    @property
    def ir_shape(self) -> tuple:
        return permute(self.shape, self.perm)

    @property
    def ir_dyn(self) -> tuple:
        return permute(self.dyn, self.perm)


def const_value(name: str, array) -> Value:
    array = np.asarray(array)
    return Value(name, array.shape, array.dtype, const=array)
