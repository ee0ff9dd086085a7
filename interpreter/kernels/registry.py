"""Kernel registry: which prepare function runs an op for a given dtype family.

A kernel is a *prepare* function registered for an op name (TFLite ``BuiltinOperator`` name)
and one or more dtype families. ``prepare(ctx)`` runs once per op at ``allocate_tensors``: it
checks the inputs, sets every output's shape (``ctx.set_output``) and returns ``run(ins, outs)``,
which only computes. ``ins`` are the input arrays (``None`` for an omitted optional input) and
``outs`` are preallocated arrays of the shapes prepare set; ``run`` fills them in place.

Families: ``float`` (float32 activations), ``int8``, ``uint8``, ``int16`` (16-bit activations),
``int32``, ``int64``, ``bool`` (ops on such tensors), ``hybrid`` (float activations with int8
weights), and ``any`` (type-generic ops such as RESHAPE). The family of an op is the dtype of its
first input (see ``family_of``); lookup tries that family first, then ``any``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

FAMILIES = ("float", "int8", "uint8", "int16", "int32", "int64", "bool", "hybrid", "any")


@dataclass(frozen=True)
class KernelSpec:
    op: str
    family: str
    prepare: Callable
    stateful: bool = False  # never folded at allocate time, even with constant inputs


KERNELS: dict[tuple[str, str], KernelSpec] = {}


def kernel(op: str, *families: str, stateful: bool = False):
    """Register the decorated prepare function for ``op`` in each of ``families``."""
    for fam in families:
        if fam not in FAMILIES:
            raise ValueError(f"unknown kernel family {fam!r} for {op}")

    def register(prepare):
        for fam in families:
            key = (op, fam)
            if key in KERNELS:
                raise ValueError(f"kernel {op}/{fam} registered twice")
            KERNELS[key] = KernelSpec(op, fam, prepare, stateful)
        return prepare

    return register


def lookup(op: str, family: str) -> KernelSpec | None:
    return KERNELS.get((op, family)) or KERNELS.get((op, "any"))


def supported_ops() -> dict[str, list[str]]:
    """Op name -> sorted families with a kernel."""
    table: dict[str, list[str]] = {}
    for op, fam in KERNELS:
        table.setdefault(op, []).append(fam)
    return {op: sorted(f) for op, f in sorted(table.items())}


_DTYPE_FAMILY = {
    "float32": "float",
    "int8": "int8",
    "uint8": "uint8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "bool": "bool",
}
_WEIGHTED_OPS = {
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "FULLY_CONNECTED",
    "BATCH_MATMUL",
    "TRANSPOSE_CONV",
    "EMBEDDING_LOOKUP",
    "UNIDIRECTIONAL_SEQUENCE_LSTM",
}


def family_of(ctx) -> str:
    """The dtype family an op runs in, from its first input (and weights, for hybrid ops)."""
    ins = [t for t in ctx.inputs if t is not None]
    if not ins:
        return "any"
    first = ins[0]
    if ctx.op_name == "TRANSPOSE_CONV" and len(ins) > 2:
        first = ctx.inputs[2]  # TRANSPOSE_CONV's activation input is its third
    fam = _DTYPE_FAMILY.get(np.dtype(first.dtype).name, "any")
    if fam == "float" and ctx.op_name in _WEIGHTED_OPS:
        if any(t.dtype in (np.int8, np.uint8) for t in ins[1:]):
            return "hybrid"
    return fam
