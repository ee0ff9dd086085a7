"""The table of ONNX ops the importer knows: one ``OpDef`` per op type.

An entry gives the op's arity, its attributes with their defaults and a builder that emits IR
ops. Op-family modules fill the table with ``@register(...)``; ``importer.py`` looks entries up by
op type and collects every node it cannot convert before raising one error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional


class Unsupported(Exception):
    """A node (or one of its attribute values) that the importer cannot convert."""


class Unknown(Unsupported):
    """Information a builder needs is missing (a static shape, a constant input). Not reported
    for nodes downstream of an unsupported one, where it is a consequence, not a cause."""


@dataclass(frozen=True)
class OpDef:
    op_type: str
    build: Callable  # build(cx: NodeContext) -> None
    inputs: tuple = (1, 1)  # (min, max) inputs; max None = variadic
    outputs: tuple = (1, 1)
    attrs: dict = field(default_factory=dict)  # name -> default (None: required or absent)
    fold: bool = True  # fold to a constant when every input is constant


REGISTRY: dict = {}

# Why common ops without an entry cannot be converted (they still fold when constant).
REASONS = {
    "Erf": "TFLite has no ERF; only the GELU pattern x*0.5*(1+Erf(x/sqrt(2))) is converted",
    "NonZero": "output shape depends on the data (TFLite needs static shapes here)",
    "Loop": "control flow is not supported",
    "If": "control flow is not supported",
    "Scan": "control flow is not supported",
    # TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM keeps its state in variables across invokes,
    # where ONNX starts every run from initial_h / initial_c: not converted yet
    "LSTM": "recurrent ops are not converted yet (TFLite's LSTM carries state across invokes)",
    "GRU": "recurrent ops are not converted yet (TFLite has no GRU kernel)",
    "RNN": "recurrent ops are not converted yet",
    "ai.onnx.ml:ZipMap": "a sequence of maps has no TFLite type; export the classifier "
    "without it (skl2onnx: options={id(model): {'zipmap': False}})",
}
ML_DOMAIN = "ai.onnx.ml"  # scikit-learn's exporters; its ops register as "ai.onnx.ml:Name"


def register(*op_types, inputs=(1, 1), outputs=(1, 1), attrs=None, fold=True):
    """Decorator: register ``build`` for each of ``op_types`` with the same arity and attrs."""

    def wrap(build):
        for op_type in op_types:
            REGISTRY[op_type] = OpDef(op_type, build, inputs, outputs, dict(attrs or {}), fold)
        return build

    return wrap


def lookup(op_type: str) -> Optional[OpDef]:
    _load_families()
    return REGISTRY.get(op_type)


def supported_ops() -> list:
    _load_families()
    return sorted(REGISTRY)


def _load_families() -> None:
    """Import every op-family module once (each registers its ops on import)."""
    from edgelite.converter.importers.onnx import ops  # noqa: F401
