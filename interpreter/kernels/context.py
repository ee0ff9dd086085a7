"""What a kernel's prepare function sees: tensor metadata, op options, output shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np


class NeedsData(Exception):
    """Raised by prepare when output shapes depend on input *values* that are not constant.

    The interpreter then prepares the op again before every invoke, with every input's value
    known (``TensorInfo.data`` set), and gives its outputs memory outside the arena.
    """


@dataclass
class QuantInfo:
    """Quantization of one tensor. ``scale``/``zero_point`` are 1-D (length 1 if per-tensor)."""

    scale: np.ndarray
    zero_point: np.ndarray
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1


@dataclass
class TensorInfo:
    index: int
    name: str
    shape: tuple
    dtype: np.dtype
    data: Optional[np.ndarray] = None  # value, when known at prepare (constant or folded)
    quant: Optional[QuantInfo] = None
    is_variable: bool = False


@dataclass
class OpContext:
    op_name: str
    version: int
    options: Any  # the op's builtin options table (attributes in snake_case) or None
    inputs: list  # list[TensorInfo | None]; None where the model passes -1 (omitted)
    outputs: list  # list[TensorInfo]
    location: str = ""  # "model.tflite: subgraph 0, op 3 (CONV_2D)" for error messages
    options2: Any = None  # Operator.builtin_options_2 table, if any
    custom_options: Optional[bytes] = None
    runtime: Any = None  # the subgraph executor (control flow and variable ops use it)
    extra: dict = field(default_factory=dict)

    def set_output(self, i: int, shape, dtype=None) -> None:
        out = self.outputs[i]
        out.shape = tuple(int(d) for d in shape)
        if dtype is not None:
            out.dtype = np.dtype(dtype)

    def expect_output_type(self, like, i: int = 0) -> None:
        """Output ``i`` must have the type TFLite's kernel writes for input ``like``: float32
        for a float (or hybrid) op, else the input's own type."""
        want = np.dtype(np.float32) if np.dtype(like.dtype).kind == "f" else np.dtype(like.dtype)
        out = self.outputs[i]
        if np.dtype(out.dtype) != want:
            raise self.error(
                f"output '{out.name}' is {np.dtype(out.dtype).name}; with a "
                f"{np.dtype(like.dtype).name} input this op writes {want.name}"
            )

    def opt(self, name: str, default=None):
        """Option ``name`` or ``default`` when the op has no options table."""
        return default if self.options is None else getattr(self.options, name, default)

    def error(self, message: str) -> Exception:
        from edgelite.errors import InvalidModelError

        return InvalidModelError(f"{self.location}: {message}")
