"""Run one subgraph: prepare kernels once, fold constants, plan the arena, then invoke.

``allocate`` does all the Python work (kernel lookup, shape propagation, weight layout, memory
plan); ``invoke`` is a loop over prebuilt closures, each calling a kernel's ``run`` on arrays
that already live in the arena.
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np

from edgelite.errors import MALFORMED, EdgeliteError, InvalidModelError, InvokeError
from edgelite.interpreter.kernels import lookup
from edgelite.interpreter.kernels.context import NeedsData, TensorInfo
from edgelite.interpreter.kernels.registry import family_of
from edgelite.interpreter.planner import Block, plan
from edgelite.interpreter.scratch import Scratch


class SubgraphRuntime:
    def __init__(self, view, index: int, owner):
        self.view = view
        self.sg = view.subgraphs[index]
        self.owner = owner  # the Interpreter: resources, other subgraphs
        self.input_shapes = {i: self.sg.tensors[i].shape for i in self.sg.inputs}
        self.infos: list = []
        self.values: list = []
        self.calls: list = []
        self.arena_bytes = 0
        self.scratch = Scratch()  # kernels' temporaries, shared (see scratch.py)
        self.allocated = False
        self.allocating = False
        self.running = False

    # -- allocation -----------------------------------------------------------------------------
    def allocate(self, preserve_all: bool = False) -> None:
        if self.allocating:  # a control-flow op led back here: the verifier's check was dodged
            raise InvalidModelError(
                f"{self.view.what}: subgraph {self.sg.index} is reached again while it is "
                "being prepared (recursion through control-flow ops is not allowed)"
            )
        self.allocating = True
        try:
            self._allocate(preserve_all)
        finally:
            self.allocating = False

    def _allocate(self, preserve_all: bool) -> None:
        sg = self.sg
        self.infos = [t.info() for t in sg.tensors]
        for i, shape in self.input_shapes.items():
            self.infos[i].shape = tuple(shape)
        self.values = [None] * len(self.infos)
        self.scratch = Scratch()
        self.dynamic: set = set()
        steps = []  # (op, spec, run or None when dynamic)
        for op in sg.ops:
            step = self._prepare(op)
            if step is not None:
                steps.append(step)
        self._place(steps, preserve_all)
        self.calls = [self._bind(op, spec, run) for op, spec, run in steps]
        self.call_ops = [op for op, _, _ in steps]  # the op behind each call, for profiles
        self.allocated = True

    def _prepare(self, op):
        ctx = self.view.context(self.sg, op, self.infos)
        ctx.runtime = self
        spec = lookup(op.name, family_of(ctx))
        if spec is None:  # the interpreter checked support at load; a type changed since
            raise InvalidModelError(f"{ctx.location}: no kernel for these input types")
        for i in op.outputs:  # constants live outside the arena, read-only
            if self.infos[i].data is not None:
                raise InvalidModelError(
                    f"{ctx.location}: output tensor {i} ('{self.infos[i].name}') is a constant "
                    "(it holds data already)"
                )
        if any(i in self.dynamic for i in op.inputs):
            self.dynamic.update(op.outputs)
            return op, spec, None
        try:
            run = _prepare_checked(spec, ctx)
        except NeedsData:
            self.dynamic.update(op.outputs)
            return op, spec, None
        outs = [self.infos[i] for i in op.outputs]
        if outs and all(o.data is not None for o in outs):
            return None  # the kernel computed its outputs at prepare (e.g. SHAPE)
        ins = [self.infos[i] for i in op.inputs if i >= 0]
        if not spec.stateful and ins and all(t.data is not None for t in ins):
            self._fold(op, run, outs)
            return None
        return op, spec, run

    def _check_size(self, op, info) -> int:
        """Bytes of a tensor whose shape a kernel computed; absurd sizes are model errors."""
        size = int(np.prod(info.shape, dtype=object)) * info.dtype.itemsize
        limit = self.view.limits.max_tensor_bytes
        if size > limit:
            raise InvalidModelError(
                f"{self.view.what}: subgraph {self.sg.index}, op {op.index} ({op.name}): "
                f"output '{info.name}' of shape {list(info.shape)} needs {size} bytes, over the "
                f"{limit}-byte limit (Limits.max_tensor_bytes)"
            )
        return size

    def _fold(self, op, run, outs) -> None:
        """Run an op whose inputs are all constant now, once, and keep its outputs as constants."""
        for o in outs:
            self._check_size(op, o)
        try:
            arrays = [np.empty(o.shape, o.dtype) for o in outs]
            with np.errstate(all="ignore"):
                run([None if i < 0 else self.infos[i].data for i in op.inputs], arrays)
        except MemoryError:
            raise EdgeliteError(
                f"{self.view.what}: out of memory folding op {op.index} ({op.name})"
            ) from None
        for o, a in zip(outs, arrays):
            a.flags.writeable = False
            o.data = a

    def _place(self, steps, preserve_all: bool) -> None:
        """Plan and create the arena; constants and variables live outside it."""
        n = len(steps)
        for op, _, _ in steps:
            for i in op.outputs:
                if i not in self.dynamic:
                    self._check_size(op, self.infos[i])
        first, last = {}, {}
        for i in self.sg.inputs:
            first[i], last[i] = 0, n
        for s, (op, _, _) in enumerate(steps):
            for i in op.inputs:
                if i >= 0:
                    last[i] = max(last.get(i, s), s)
            for i in op.outputs:
                first.setdefault(i, s)
                last[i] = max(last.get(i, s), s)
        for i in self.sg.outputs:
            last[i] = n
        self._check_written(steps, first)
        blocks = []
        for i, info in enumerate(self.infos):
            if info.is_variable:
                self.values[i] = self.owner.variable_tensor(self.sg.index, i, info)
            elif info.data is not None:
                self.values[i] = info.data
            elif i in first and i not in self.dynamic and info.dtype != np.object_:
                size = int(np.prod(info.shape, dtype=np.int64)) * info.dtype.itemsize
                span = (0, n) if preserve_all else (first[i], last[i])
                blocks.append(Block(i, size, *span))
        self.arena_bytes = plan(blocks)
        if self.arena_bytes > self.view.limits.max_arena_bytes:
            raise InvalidModelError(
                f"{self.view.what}: subgraph {self.sg.index} needs {self.arena_bytes} bytes of "
                f"activations, over the {self.view.limits.max_arena_bytes}-byte limit "
                "(Limits.max_arena_bytes)"
            )
        try:
            self.arena = np.zeros(self.arena_bytes, np.uint8)
        except MemoryError:
            raise EdgeliteError(
                f"{self.view.what}: not enough memory for the {self.arena_bytes}-byte "
                "activation arena"
            ) from None
        for b in blocks:
            info = self.infos[b.key]
            raw = self.arena[b.offset : b.offset + b.size]
            self.values[b.key] = raw.view(info.dtype).reshape(info.shape)

    def _check_written(self, steps, first) -> None:
        """Every tensor an op reads, and every output of the subgraph, must be an input, a
        constant, a variable or written by an op (a corrupt file can point elsewhere)."""
        readers = [(i, f"op {op.index} ({op.name})") for op, _, _ in steps for i in op.inputs]
        readers += [(i, "the subgraph's outputs") for i in self.sg.outputs]
        for i, reader in readers:
            if i < 0 or i in first or i in self.dynamic:
                continue
            info = self.infos[i]
            if info.data is None and not info.is_variable:
                raise InvalidModelError(
                    f"{self.view.what}: subgraph {self.sg.index}: tensor {i} ('{info.name}'), "
                    f"read by {reader}, is written by no op and is neither an input, a "
                    "constant nor a variable"
                )

    def _bind(self, op, spec, run):
        if run is None:
            return partial(self._run_dynamic, op, spec)
        ins = [None if i < 0 else self.values[i] for i in op.inputs]
        outs = [self.values[i] for i in op.outputs]
        return partial(run, ins, outs)

    # -- running --------------------------------------------------------------------------------
    def invoke(self) -> None:
        if self.running:  # a control-flow op led back here: the verifier's check was dodged
            raise InvokeError(
                f"{self.view.what}: subgraph {self.sg.index} is invoked again while it runs "
                "(recursion through control-flow ops is not allowed)"
            )
        self.running = True
        # inf/nan from overflow are results, as in TFLite, not warnings to print per invoke
        try:
            with np.errstate(all="ignore"):
                for call in self.calls:
                    call()
        except MemoryError:
            raise EdgeliteError(
                f"{self.view.what}: out of memory while running subgraph {self.sg.index}"
            ) from None
        finally:
            self.running = False

    def invoke_profiled(self) -> list:
        """Invoke once, timing each op: [(op index, op name, seconds)] in execution order."""
        timings = []
        clock = time.perf_counter
        with np.errstate(all="ignore"):
            for call, op in zip(self.calls, self.call_ops):
                start = clock()
                call()
                timings.append((op.index, op.name, clock() - start))
        return timings

    def _run_dynamic(self, op, spec) -> None:
        """Prepare again with every input value known, then run into fresh output arrays."""
        infos = list(self.infos)
        for i in op.inputs:
            if i >= 0:
                v = self.values[i]
                t = self.infos[i]
                infos[i] = TensorInfo(t.index, t.name, v.shape, v.dtype, v, t.quant, t.is_variable)
        for i in op.outputs:
            t = self.infos[i]
            infos[i] = TensorInfo(t.index, t.name, t.shape, t.dtype, None, t.quant)
        ctx = self.view.context(self.sg, op, infos)
        ctx.runtime = self
        run = _prepare_checked(spec, ctx)
        outs = [infos[i] for i in op.outputs]
        if outs and all(o.data is not None for o in outs):
            arrays = [o.data for o in outs]
        else:
            for o in outs:
                self._check_size(op, o)
            arrays = [np.empty(o.shape, o.dtype) for o in outs]
            run([None if i < 0 else self.values[i] for i in op.inputs], arrays)
        for i, a in zip(op.outputs, arrays):
            self.values[i] = a
            self.infos[i].shape, self.infos[i].dtype = a.shape, a.dtype


def _prepare_checked(spec, ctx):
    """Run a kernel's prepare; a crash on what the file declares is reported as a model error.

    Kernels validate what they know to check; an op with, say, too few inputs in a corrupt file
    must still end as an InvalidModelError naming the op, never a bare IndexError.
    """
    try:
        return spec.prepare(ctx)
    except (NeedsData, EdgeliteError):
        raise
    except MemoryError:
        raise EdgeliteError(f"{ctx.location}: not enough memory to prepare the op") from None
    except MALFORMED as e:
        omitted = [k for k, t in enumerate(ctx.inputs) if t is None]
        hint = f" (input(s) {omitted} omitted: index -1)" if omitted else ""
        raise InvalidModelError(
            f"{ctx.location}: malformed op ({len(ctx.inputs)} inputs{hint}, "
            f"{len(ctx.outputs)} outputs): {type(e).__name__}: {e}"
        ) from e
