"""The graph IR shared by the converter and the quantizer.

Small and explicit: a ``Graph`` holds ``Op``s in execution (topological) order; ops reference
``Tensor`` objects directly (not indices), so passes rewire by replacing references. Ops are named
by TFLite ``BuiltinOperator`` (``"CONV_2D"``) and their options are a dict keyed by the TFLite
schema's option field names, enum values by name (``{"padding": "SAME", "stride_w": 2}``).
Layout is NHWC once a model is imported. Passes are pure: they return a new Graph and leave the
one they were given unchanged (tensors whose values they do not change may be shared).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np


@dataclass
class QuantParams:
    """Affine quantization: real = scale * (q - zero_point), per tensor or along ``axis``."""

    scale: np.ndarray  # float32, 1-D (length 1 if per-tensor)
    zero_point: np.ndarray  # int64, 1-D, same length as scale
    axis: int = 0

    def __post_init__(self):
        self.scale = np.atleast_1d(np.asarray(self.scale, np.float32))
        self.zero_point = np.atleast_1d(np.asarray(self.zero_point, np.int64))
        if self.zero_point.size == 1 and self.scale.size > 1:
            self.zero_point = np.repeat(self.zero_point, self.scale.size)

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1


@dataclass(eq=False)
class Tensor:
    """A value in the graph. Identity matters (``eq=False``): two tensors are the same object."""

    name: str
    shape: tuple  # static dims; -1 where unknown (a dynamic batch)
    dtype: np.dtype
    data: Optional[np.ndarray] = None  # the value of a constant
    quant: Optional[QuantParams] = None
    is_variable: bool = False

    def __post_init__(self):
        self.shape = tuple(int(d) for d in self.shape)
        self.dtype = np.dtype(self.dtype)

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if all(d >= 0 for d in self.shape) else -1

    def __repr__(self):
        kind = "const " if self.is_const else ""
        return f"Tensor({kind}{self.name!r}, {list(self.shape)}, {self.dtype.name})"


def fresh_name(base: str, taken: set) -> str:
    """``base``, or ``base_1``, ``base_2``, ... : the first not in ``taken`` (which it joins)."""
    name, n = base, 1
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def constant(name: str, value, dtype=None) -> Tensor:
    value = np.asarray(value, dtype)
    return Tensor(name, value.shape, value.dtype, data=value)


@dataclass(eq=False)
class Op:
    type: str  # TFLite BuiltinOperator name
    inputs: list  # list[Tensor | None]; None = omitted optional input
    outputs: list  # list[Tensor]
    options: dict = field(default_factory=dict)
    name: str = ""  # the source node's name, for messages and reports
    version: int = 1

    def __repr__(self):
        ins = ", ".join("-" if t is None else t.name for t in self.inputs)
        outs = ", ".join(t.name for t in self.outputs)
        return f"Op({self.type} {self.name!r}: {ins} -> {outs})"


@dataclass(eq=False)
class Graph:
    ops: list
    inputs: list
    outputs: list
    name: str = "main"
    metadata: dict = field(default_factory=dict)  # name -> bytes, written as Model.metadata
    description: str = ""

    def copy(self) -> Graph:
        """A new Graph with new op objects and lists; tensors are shared."""
        ops = [
            Op(o.type, list(o.inputs), list(o.outputs), dict(o.options), o.name, o.version)
            for o in self.ops
        ]
        return Graph(
            ops,
            list(self.inputs),
            list(self.outputs),
            self.name,
            dict(self.metadata),
            self.description,
        )

    def producers(self) -> dict:
        """Tensor -> the op that writes it."""
        return {t: op for op in self.ops for t in op.outputs}

    def consumers(self) -> dict:
        """Tensor -> list of ops that read it (graph outputs are not listed)."""
        users: dict = {}
        for op in self.ops:
            for t in op.inputs:
                if t is not None:
                    users.setdefault(t, []).append(op)
        return users

    def tensors(self) -> list:
        """Every tensor the graph uses, each once, in a stable order."""
        seen, order = set(), []
        for t in list(self.inputs) + [t for op in self.ops for t in op.inputs + op.outputs]:
            if t is not None and id(t) not in seen:
                seen.add(id(t))
                order.append(t)
        for t in self.outputs:
            if id(t) not in seen:
                seen.add(id(t))
                order.append(t)
        return order

    def replace_uses(self, old: Tensor, new: Tensor) -> None:
        """Make every reader of ``old`` (ops and graph outputs) read ``new`` instead (in place;
        call on a copy inside passes)."""
        for op in self.ops:
            op.inputs = [new if t is old else t for t in op.inputs]
        self.outputs = [new if t is old else t for t in self.outputs]

    def op_counts(self) -> dict:
        counts: dict = {}
        for op in self.ops:
            counts[op.type] = counts.get(op.type, 0) + 1
        return dict(sorted(counts.items()))
