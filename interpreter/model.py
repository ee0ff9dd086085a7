"""Load a ``.tflite`` file for running: verified ``Model`` plus runtime views of its parts.

Constant tensors become read-only numpy views of the file (memory-mapped for paths), so weights
are never copied; dtype conversions happen only where a kernel needs them, once, at prepare.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from edgelite.errors import InvalidModelError, UnsupportedOpError
from edgelite.interpreter.kernels import lookup
from edgelite.interpreter.kernels.context import OpContext, QuantInfo, TensorInfo
from edgelite.interpreter.kernels.registry import family_of, supported_ops
from edgelite.schemas.model import NUMPY_DTYPES, load_model, op_name
from edgelite.schemas.verify import Limits


@dataclass
class TensorSpec:
    """A tensor as the file declares it."""

    index: int
    name: str
    shape: tuple
    shape_signature: tuple
    dtype: np.dtype
    type_name: str
    quant: Optional[QuantInfo]
    data: Optional[np.ndarray]  # constant value (view of the file), if any
    is_variable: bool
    raw: object  # the schema Tensor object (quantization/sparsity details)

    def info(self) -> TensorInfo:
        """What kernels see: a variable's initial value is state, not a constant to fold."""
        data = None if self.is_variable else self.data
        return TensorInfo(
            self.index, self.name, self.shape, self.dtype, data, self.quant, self.is_variable
        )


@dataclass
class OpSpec:
    index: int
    name: str
    version: int
    options: object
    options2: object
    custom_options: Optional[bytes]
    inputs: list
    outputs: list
    intermediates: list = field(default_factory=list)


@dataclass
class SubgraphSpec:
    index: int
    name: str
    tensors: list
    ops: list
    inputs: list
    outputs: list


def _quant(t) -> Optional[QuantInfo]:
    q = t.quantization
    if q is None or q.scale is None or len(q.scale) == 0:
        return None
    zp = q.zero_point if q.zero_point is not None and len(q.zero_point) else np.zeros(len(q.scale))
    return QuantInfo(
        np.asarray(q.scale, np.float32), np.asarray(zp, np.int64), int(q.quantized_dimension)
    )


def _constant(t, buffers, dtype, shape, where) -> Optional[np.ndarray]:
    buf = buffers[t.buffer].data if buffers else None
    if buf is None or len(buf) == 0:
        return None
    if t.type == "INT4":
        return _unpack_int4(buf, shape)
    if dtype == np.object_:
        return None  # strings/resources: kernels that need them read the raw buffer
    arr = buf.view(np.dtype(dtype).newbyteorder("<"))
    if t.sparsity is not None:
        return arr  # dense shape comes from DENSIFY
    try:
        return arr.reshape(shape)
    except ValueError:
        raise InvalidModelError(f"{where}: constant data does not fit shape {shape}") from None


def _unpack_int4(buf, shape) -> np.ndarray:
    """INT4 weights are packed two per byte, low nibble first; sign-extend them to int8."""
    b = np.asarray(buf, np.uint8)
    lo = (b & 0x0F).astype(np.int8)
    hi = (b >> 4).astype(np.int8)
    vals = np.stack([lo, hi], axis=-1).reshape(-1)
    vals = np.where(vals > 7, vals - 16, vals).astype(np.int8)
    count = int(np.prod(shape)) if len(shape) else 1
    return vals[:count].reshape(shape)


def _tensor(i, t, buffers, where) -> TensorSpec:
    # resource handles are int32 ids in this runtime (see VAR_HANDLE)
    dtype = np.dtype(np.int32 if t.type == "RESOURCE" else NUMPY_DTYPES.get(t.type, np.object_))
    shape = tuple(int(d) for d in (t.shape if t.shape is not None else ()))
    sig = tuple(int(d) for d in t.shape_signature) if t.shape_signature is not None else shape
    data = _constant(t, buffers, dtype, shape, f"{where}, tensor {i} '{t.name}'")
    return TensorSpec(
        i, t.name or "", shape, sig, dtype, t.type, _quant(t), data, bool(t.is_variable), t
    )


def _ints(v) -> list:
    return [] if v is None else [int(x) for x in v]


class ModelView:
    """The parts of a loaded model the interpreter needs, indexed for quick access."""

    def __init__(self, source, *, what: str = None, limits: Limits = None):
        self.limits = limits or Limits()
        self.model = load_model(source, what=what, limits=self.limits)
        self.what = what or (source if isinstance(source, str) else "<model bytes>")
        m = self.model
        self.opnames = [op_name(c) for c in m.operator_codes or []]
        self.opversions = [int(c.version) for c in m.operator_codes or []]
        self.subgraphs = [self._subgraph(i, sg) for i, sg in enumerate(m.subgraphs)]
        self.signatures = m.signature_defs or []

    def _subgraph(self, si, sg) -> SubgraphSpec:
        where = f"{self.what}: subgraph {si}"
        tensors = [_tensor(i, t, self.model.buffers, where) for i, t in enumerate(sg.tensors or [])]
        ops = []
        for oi, op in enumerate(sg.operators or []):
            custom = op.custom_options
            ops.append(
                OpSpec(
                    oi,
                    self.opnames[op.opcode_index],
                    self.opversions[op.opcode_index],
                    op.builtin_options,
                    op.builtin_options_2,
                    None if custom is None else bytes(custom),
                    _ints(op.inputs),
                    _ints(op.outputs),
                    _ints(op.intermediates),
                )
            )
        return SubgraphSpec(si, sg.name or "", tensors, ops, _ints(sg.inputs), _ints(sg.outputs))

    def context(self, sg: SubgraphSpec, op: OpSpec, infos=None) -> OpContext:
        """An OpContext for ``op`` over ``infos`` (default: the file's tensor declarations)."""
        infos = infos or [t.info() for t in sg.tensors]
        ins = [None if i < 0 else infos[i] for i in op.inputs]
        outs = [infos[i] for i in op.outputs]
        loc = f"{self.what}: subgraph {sg.index}, op {op.index} ({op.name})"
        return OpContext(
            op.name, op.version, op.options, ins, outs, loc, op.options2, op.custom_options
        )

    def check_supported(self) -> None:
        """Raise one UnsupportedOpError naming every op (and type) without a kernel."""
        missing = Counter()
        for sg in self.subgraphs:
            infos = [t.info() for t in sg.tensors]
            for op in sg.ops:
                ctx = self.context(sg, op, infos)
                fam = family_of(ctx)
                if lookup(op.name, fam) is None:
                    if all(t is None for t in ctx.inputs) and op.name in supported_ops():
                        raise InvalidModelError(
                            f"{ctx.location}: it has no inputs (none given, or every one "
                            "omitted with index -1), so its type cannot be known"
                        )
                    missing[(op.name, op.version, fam)] += 1
        if missing:
            lines = [
                f"  {name} (version {ver}, {fam}): {n} op(s)"
                for (name, ver, fam), n in sorted(missing.items())
            ]
            raise UnsupportedOpError(
                f"{self.what}: edgelite has no kernel for {len(missing)} op type(s):\n"
                + "\n".join(lines)
            )
