"""Check a decoded ``Model`` for internal consistency before anything uses it.

The reader already guarantees that every offset lies inside the file; this module checks what
the model *means*: indices in range, buffer sizes matching shapes, sane shapes, tensors defined
before they are read, subgraph references without recursion. Errors name the file, subgraph,
operator and tensor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edgelite.errors import InvalidModelError

SUBGRAPH_REFS = {
    "CallOnceOptions": ("init_subgraph_index",),
    "WhileOptions": ("cond_subgraph_index", "body_subgraph_index"),
    "IfOptions": ("then_subgraph_index", "else_subgraph_index"),
    "CallOptions": ("subgraph",),
}
_ITEMSIZE = {
    "FLOAT32": 4,
    "FLOAT16": 2,
    "INT32": 4,
    "UINT8": 1,
    "INT64": 8,
    "BOOL": 1,
    "INT16": 2,
    "COMPLEX64": 8,
    "INT8": 1,
    "FLOAT64": 8,
    "COMPLEX128": 16,
    "UINT64": 8,
    "UINT32": 4,
    "UINT16": 2,
    "BFLOAT16": 2,
}


_ZP_RANGE = {"INT8": (-128, 127), "UINT8": (0, 255), "INT16": (-32768, 32767)}


@dataclass
class Limits:
    """Bounds that protect against files declaring absurd sizes."""

    # Edge models are far smaller; raise these (Interpreter(limits=Limits(...))) for big ones.
    max_tensor_bytes: int = 1 << 30  # 1 GiB for any one tensor
    max_arena_bytes: int = 1 << 32  # 4 GiB of activations planned by the interpreter
    max_rank: int = 16
    max_subgraphs: int = 10_000


def _nbytes(ttype, count: int):
    if ttype == "INT4":
        return (count + 1) // 2
    return count * _ITEMSIZE[ttype] if ttype in _ITEMSIZE else None


class _Checker:
    def __init__(self, model, what: str, limits: Limits):
        self.m, self.what, self.limits = model, what, limits
        self.buffers = model.buffers or []
        self.opcodes = model.operator_codes or []

    def fail(self, msg: str):
        raise InvalidModelError(f"{self.what}: {msg}")

    def run(self):
        from edgelite.schemas.model import SCHEMA_VERSION

        if self.m.version != SCHEMA_VERSION:
            self.fail(f"schema version {self.m.version}; edgelite reads version {SCHEMA_VERSION}")
        subgraphs = self.m.subgraphs or []
        if not subgraphs:
            self.fail("model has no subgraphs")
        if len(subgraphs) > self.limits.max_subgraphs:
            self.fail(f"model declares {len(subgraphs)} subgraphs")
        for si, sg in enumerate(subgraphs):
            self.subgraph(si, sg)
        self.recursion(subgraphs)
        self.signatures(subgraphs)
        self.metadata()

    def metadata(self):
        for i, m in enumerate(self.m.metadata or []):
            if not 0 <= m.buffer < len(self.buffers):
                self.fail(
                    f"metadata {i} '{m.name}' refers to buffer {m.buffer}; the model has "
                    f"{len(self.buffers)}"
                )

    def subgraph(self, si: int, sg):
        tensors = sg.tensors or []
        where = f"subgraph {si}"
        for ti, t in enumerate(tensors):
            self.tensor(f"{where}, tensor {ti} '{t.name}'", t)
        n = len(tensors)
        for kind in ("inputs", "outputs"):
            for ti in _ints(getattr(sg, kind)):
                if not 0 <= ti < n:
                    self.fail(f"{where}: {kind[:-1]} tensor {ti} is out of range (0..{n - 1})")
        defined = set(_ints(sg.inputs))
        for ti, t in enumerate(tensors):
            if t.is_variable or self.has_data(t) or _count(t.shape) == 0:
                defined.add(ti)
        for oi, op in enumerate(sg.operators or []):
            self.operator(f"{where}, operator {oi}", op, n, tensors, defined, len(self.m.subgraphs))

    def tensor(self, where: str, t):
        shape = _ints(t.shape)
        if len(shape) > self.limits.max_rank:
            self.fail(f"{where}: rank {len(shape)} exceeds the limit of {self.limits.max_rank}")
        if any(d < 0 for d in shape):
            self.fail(f"{where}: shape {shape} has a negative dimension")
        if not isinstance(t.type, str):
            self.fail(f"{where}: unknown tensor type {t.type}")
        count = _count(shape)
        nbytes = _nbytes(t.type, count)
        if nbytes is not None and nbytes > self.limits.max_tensor_bytes:
            self.fail(
                f"{where}: shape {shape} of {t.type} needs {nbytes} bytes, over the "
                f"{self.limits.max_tensor_bytes}-byte limit (see Limits.max_tensor_bytes)"
            )
        if not 0 <= t.buffer < max(len(self.buffers), 1):
            last = len(self.buffers) - 1
            self.fail(f"{where}: buffer index {t.buffer} is out of range (0..{last})")
        data = self.buffers[t.buffer].data if self.buffers else None
        if data is not None and len(data) and nbytes is not None and t.sparsity is None:
            if len(data) != nbytes:
                self.fail(
                    f"{where}: buffer {t.buffer} holds {len(data)} bytes but shape {shape} "
                    f"of {t.type} needs {nbytes}"
                )
        self.quantization(where, t, shape)

    def quantization(self, where, t, shape):
        q = t.quantization
        if q is None or q.scale is None:
            return
        ns = len(q.scale)
        nz = 0 if q.zero_point is None else len(q.zero_point)
        if nz and nz != ns:
            self.fail(f"{where}: {ns} quantization scales but {nz} zero points")
        if ns > 1:
            axis = q.quantized_dimension
            if not 0 <= axis < len(shape) or shape[axis] != ns:
                self.fail(
                    f"{where}: {ns} per-channel scales do not match dimension {axis} "
                    f"of shape {shape}"
                )
        if ns and not np.all(np.isfinite(q.scale)):
            self.fail(f"{where}: quantization scale is not finite")
        bounds = _ZP_RANGE.get(t.type)
        if bounds and nz and not np.all((q.zero_point >= bounds[0]) & (q.zero_point <= bounds[1])):
            self.fail(
                f"{where}: zero point {np.asarray(q.zero_point).tolist()[:4]} is outside "
                f"the {t.type} range {list(bounds)}"
            )

    def has_data(self, t) -> bool:
        return (
            bool(self.buffers)
            and self.buffers[t.buffer].data is not None
            and len(self.buffers[t.buffer].data) > 0
        )

    def operator(self, where, op, n, tensors, defined, nsub):
        if not 0 <= op.opcode_index < len(self.opcodes):
            self.fail(
                f"{where}: opcode index {op.opcode_index} is out of range "
                f"(the model has {len(self.opcodes)} operator codes)"
            )
        from edgelite.schemas.model import op_name

        where = f"{where} ({op_name(self.opcodes[op.opcode_index])})"
        for i, ti in enumerate(_ints(op.inputs)):
            if ti == -1:
                continue
            if not 0 <= ti < n:
                self.fail(f"{where}: input {i} refers to tensor {ti}; the subgraph has {n}")
            if ti not in defined:
                self.fail(
                    f"{where}: input {i} reads tensor {ti} '{tensors[ti].name}' before "
                    "any operator writes it"
                )
        for i, ti in enumerate(_ints(op.outputs)):
            if not 0 <= ti < n:
                self.fail(f"{where}: output {i} refers to tensor {ti}; the subgraph has {n}")
            defined.add(ti)
        opts = op.builtin_options
        for field in SUBGRAPH_REFS.get(getattr(opts, "_table_name", ""), ()):
            idx = getattr(opts, field)
            if not 0 <= idx < nsub:
                self.fail(f"{where}: {field} {idx} is out of range ({nsub} subgraphs)")

    def recursion(self, subgraphs):
        calls = {si: sorted(_callees(sg)) for si, sg in enumerate(subgraphs)}
        state = {}  # 1 = on the current path, 2 = done

        for start in calls:
            stack = [(start, iter(calls[start]))]
            state[start] = state.get(start) or 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[node] = 2
                    stack.pop()
                elif state.get(nxt) == 1:
                    self.fail(
                        f"subgraph {node} calls subgraph {nxt}, which leads back to it "
                        "(recursion is not allowed)"
                    )
                elif state.get(nxt) is None:
                    state[nxt] = 1
                    stack.append((nxt, iter(calls[nxt])))

    def signatures(self, subgraphs):
        for i, sig in enumerate(self.m.signature_defs or []):
            if not 0 <= sig.subgraph_index < len(subgraphs):
                self.fail(
                    f"signature {i} '{sig.signature_key}' refers to subgraph "
                    f"{sig.subgraph_index}; the model has {len(subgraphs)}"
                )
            n = len(subgraphs[sig.subgraph_index].tensors or [])
            for tm in (sig.inputs or []) + (sig.outputs or []):
                if not 0 <= tm.tensor_index < n:
                    self.fail(
                        f"signature '{sig.signature_key}': '{tm.name}' refers to tensor "
                        f"{tm.tensor_index}; the subgraph has {n}"
                    )


def _ints(v) -> list:
    return [] if v is None else [int(x) for x in v]


def _count(shape) -> int:
    count = 1
    for d in _ints(shape):
        count *= d
    return count


def _callees(sg):
    for op in sg.operators or []:
        opts = op.builtin_options
        for field in SUBGRAPH_REFS.get(getattr(opts, "_table_name", ""), ()):
            yield getattr(opts, field)


def verify_model(model, what: str = "<model>", limits: Limits = None) -> None:
    """Raise InvalidModelError if ``model`` is inconsistent; return None if it is sound."""
    _Checker(model, what, limits or Limits()).run()
