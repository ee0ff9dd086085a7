"""The tensor arena TensorFlow Lite Micro will need for a model, computed without running it.

TFLite Micro splits one arena in two. The *head* holds the activations and the kernels'
scratch buffers, placed by its GreedyMemoryPlanner: every buffer is rounded up to 16 bytes,
buffers are taken largest first (ties in tensor order, offline-planned ones first at their
given offsets) and each goes to the lowest offset where it overlaps no buffer alive at the same
time. Lifetimes count ops: a graph input is alive from 0 to its last reader, an op's output from
the op to its last reader, graph outputs to the end, and a kernel's scratch only during its op.
The *tail* holds what lives as long as the interpreter: the allocator objects, one
TfLiteEvalTensor per tensor, one NodeAndRegistration per op, parsed options, each kernel's
op data (``edgelite.tflm_kernels``), scratch handles, variable tensors, and a full TfLiteTensor
(with its quantization) for every graph input and output.

``tflm_arena(model)`` is head + tail in bytes; ``arena_breakdown`` shows the parts.
"""

from __future__ import annotations

import numpy as np

from edgelite.schemas.model import load_model, op_name
from edgelite.tflm_kernels import BUILTIN_DATA, TYPE_BYTES, persistent, scratch

ALIGN = 16  # MicroArenaBufferAlignment()
# RecordingSingleArenaBufferAllocator, GreedyMemoryPlanner, RecordingMicroAllocator and
# MicroBuiltinDataAllocator objects, made in the tail before the model is looked at
ALLOCATOR_OBJECTS = 472
SUBGRAPH_ALLOCATIONS = 16  # two pointers per subgraph
EVAL_TENSOR = 24
NODE_AND_REGISTRATION = 64
TFLITE_TENSOR = 64  # TfLiteTensor as TFLite Micro builds it (TF_LITE_STATIC_MEMORY)
AFFINE_QUANTIZATION = 24
SCRATCH_HANDLE = 8
POINTER = 8
RESOURCE_VARIABLES = 16  # MicroResourceVariables, made when the model has VAR_HANDLE ops
RESOURCE_VARIABLE = 40  # one entry per variable: three pointers, a size, a default byte
_SUBGRAPH_OPTIONS = {
    "IF": ("then_subgraph_index", "else_subgraph_index"),
    "WHILE": ("cond_subgraph_index", "body_subgraph_index"),
    "CALL_ONCE": ("init_subgraph_index",),
}


def _up(n: int, align: int) -> int:
    return (n + align - 1) // align * align


def _elements(t) -> int:
    return int(np.prod(t.shape)) if t.shape is not None and len(t.shape) else 1


def _nbytes(t) -> int:
    return _elements(t) * TYPE_BYTES.get(t.type, 1)


class _Tail:
    """The persistent allocator: allocations grow down from the 16-aligned end of the arena."""

    def __init__(self):
        self.used = 0
        self.parts = {}

    def take(self, what: str, size: int, align: int = ALIGN):
        before = self.used
        self.used = _up(self.used + int(size), align)
        self.parts[what] = self.parts.get(what, 0) + self.used - before


def _load(model):
    if hasattr(model, "subgraphs"):
        return model
    return load_model(model)


def _has_data(model, t) -> bool:
    bufs = model.buffers or []
    data = bufs[t.buffer].data if t.buffer < len(bufs) else None
    return data is not None and len(data) > 0


def _offline_offsets(model):
    for m in model.metadata or []:
        if m.name == "OfflineMemoryAllocation":
            words = np.frombuffer(bytes(model.buffers[m.buffer].data), "<i4")
            return [int(v) for v in words[3 : 3 + int(words[2])]]
    return None


class _Lifetimes:
    """AllocationInfoBuilder's walk: one scope counter across the graph and called subgraphs."""

    def __init__(self, model):
        self.model = model
        self.scope = 0
        self.first = {}
        self.last = {}
        self.scratch = []  # (bytes, first, last)

    def _touch(self, key, first=False):
        if first and key not in self.first:
            self.first[key] = self.scope
        if not first:
            self.last[key] = self.scope

    def walk(self, si: int):
        sg = self.model.subgraphs[si]
        codes = self.model.operator_codes
        for i in sg.inputs if sg.inputs is not None else []:
            self.first.setdefault((si, int(i)), self.scope)
            self.last[(si, int(i))] = self.scope
        for op in sg.operators or []:
            self.scope += 1
            outs = [int(i) for i in (op.outputs if op.outputs is not None else [])]
            for i in outs:
                self.first.setdefault((si, i), self.scope)
            start = self.scope
            name = op_name(codes[op.opcode_index])
            for field in _SUBGRAPH_OPTIONS.get(name, ()):
                self.scope += 1
                self.walk(int(getattr(op.builtin_options, field)))
            for i in op.inputs if op.inputs is not None else []:
                if i >= 0:
                    self.last[(si, int(i))] = self.scope
            for i in outs:
                self.last[(si, i)] = self.scope
            ins, out_t = _operands(sg, op)
            for size in scratch(name, ins, out_t):
                self.scratch.append((size, start, self.scope))
        for i in sg.outputs if sg.outputs is not None else []:
            self.first.setdefault((si, int(i)), self.scope)
            self.last[(si, int(i))] = self.scope


def _operands(sg, op):
    ins = [sg.tensors[i] if i >= 0 else None for i in (op.inputs if op.inputs is not None else [])]
    outs = [sg.tensors[i] for i in (op.outputs if op.outputs is not None else [])]
    return ins, outs


def greedy_plan(buffers) -> int:
    """Peak bytes of GreedyMemoryPlanner's placement of ``(size, first, last, offset)`` tuples
    (``offset`` None when the planner chooses)."""
    fixed = [b for b in buffers if b[3] is not None]
    online = sorted((b for b in buffers if b[3] is None), key=lambda b: -b[0])  # stable
    placed = [(b[3], b[0], b[1], b[2]) for b in fixed]  # (offset, size, first, last)
    for size, first, last, _ in online:
        live = sorted((p for p in placed if not (p[2] > last or first > p[3])), key=lambda p: p[0])
        offset = 0
        for p_off, p_size, _, _ in live:
            if p_off - offset >= size:
                break
            offset = max(offset, p_off + p_size)
        placed.append((offset, size, first, last))
    return max((p[0] + p[1] for p in placed), default=0)


def _head(model) -> dict:
    lt = _Lifetimes(model)
    lt.walk(0)
    offline = _offline_offsets(model)
    buffers, k = [], 0
    for si, sg in enumerate(model.subgraphs):
        for ti, t in enumerate(sg.tensors or []):
            off = offline[k] if offline is not None and k < len(offline) else -1
            k += 1
            size = _nbytes(t)
            needs = not _has_data(model, t) and not t.is_variable and size != 0
            if t.is_variable and off != -1:
                needs = True
            if not needs or (si, ti) not in lt.first:
                continue
            first = lt.first[(si, ti)]
            last = lt.last.get((si, ti), first)
            buffers.append((_up(size, ALIGN), first, last, None if off == -1 else off))
    buffers += [(_up(s, ALIGN), a, b, None) for s, a, b in lt.scratch]
    return {"activations": greedy_plan(buffers), "scratch_buffers": len(lt.scratch)}


def _io_tensor(tail: _Tail, t):
    tail.take("io tensors", TFLITE_TENSOR, 8)
    q = t.quantization
    if q is not None and q.scale is not None and len(q.scale) and q.zero_point is not None:
        if len(q.zero_point):
            tail.take("io quantization", AFFINE_QUANTIZATION, 8)
            tail.take("io quantization", 4 + 4 * len(q.scale), 4)


def _resource_variables(model) -> list:
    """Bytes of each resource variable (by VAR_HANDLE shared name): its largest assigned value."""
    sizes = {}
    codes = model.operator_codes
    for sg in model.subgraphs:
        handles = {}
        for op in sg.operators or []:
            name = op_name(codes[op.opcode_index])
            if name == "VAR_HANDLE":
                key = getattr(op.builtin_options, "shared_name", None) or f"#{len(sizes)}"
                handles[int(op.outputs[0])] = key
                sizes.setdefault(key, 0)
            elif name == "ASSIGN_VARIABLE" and int(op.inputs[0]) in handles:
                key = handles[int(op.inputs[0])]
                sizes[key] = max(sizes[key], _nbytes(sg.tensors[int(op.inputs[1])]))
    return list(sizes.values())


def _tail(model, scratch_count: int) -> _Tail:
    tail = _Tail()
    tail.take("allocator objects", ALLOCATOR_OBJECTS)
    variables = _resource_variables(model)
    if variables:  # the runtime makes the variable table before the interpreter
        tail.take("resource variables", RESOURCE_VARIABLES)
        tail.take("resource variables", RESOURCE_VARIABLE * len(variables))
    tail.take("allocator objects", SUBGRAPH_ALLOCATIONS * len(model.subgraphs), 8)
    for sg in model.subgraphs:
        tail.take("eval tensors", EVAL_TENSOR * len(sg.tensors or []), 8)
    for sg in model.subgraphs:
        tail.take("nodes", NODE_AND_REGISTRATION * len(sg.operators or []), 8)
    codes = model.operator_codes
    ops = [(sg, op, op_name(codes[op.opcode_index])) for sg in model.subgraphs
           for op in sg.operators or []]  # fmt: skip
    for _, _, name in ops:
        if BUILTIN_DATA.get(name):
            tail.take("op options", BUILTIN_DATA[name], 4)
    prepared = []
    for sg, op, name in ops:  # every kernel's Init, then every Prepare
        ins, outs = _operands(sg, op)
        sizes = persistent(name, ins, outs, op.builtin_options)
        if sizes:
            tail.take("kernel data", sizes[0])
        prepared += sizes[1:]
    for size in prepared:
        tail.take("kernel data", size)
    if scratch_count:
        tail.take("scratch handles", SCRATCH_HANDLE * scratch_count, 8)
    for sg in model.subgraphs:
        for t in sg.tensors or []:
            if t.is_variable:
                tail.take("variables", _nbytes(t))
    for size in variables:  # allocated when ASSIGN_VARIABLE prepares
        tail.take("resource variables", size)
    main = model.subgraphs[0]
    for kind in ("inputs", "outputs"):
        idx = [int(i) for i in (getattr(main, kind) if getattr(main, kind) is not None else [])]
        tail.take("io tensors", POINTER * len(idx))
        for i in idx:
            _io_tensor(tail, main.tensors[i])
    return tail


def arena_breakdown(model) -> dict:
    """Head (activations + scratch) and tail (persistent) bytes, with the tail's parts."""
    model = _load(model)
    head = _head(model)
    tail = _tail(model, head["scratch_buffers"])
    return {
        "total": head["activations"] + tail.used,
        "head": head["activations"],
        "tail": tail.used,
        "tail_parts": tail.parts,
    }


def tflm_arena(model) -> int:
    """Bytes of tensor arena TensorFlow Lite Micro (64-bit host build) allocates for ``model``
    (a ``Model``, path or bytes)."""
    return arena_breakdown(model)["total"]
