"""Perform a ``Plan``: one step that returns a new, quantized Graph (the given one is unchanged).

Integer modes: quantized ops get integer activations (named as in the float graph, so a report
can match tensors by name), their constants become int8 weights / int32 (int64) biases / integer
constants, and QUANTIZE / DEQUANTIZE ops are inserted wherever a tensor crosses between a float
op and a quantized one, at float (or uint8) model inputs and outputs, and to requantize a
CONCATENATION input whose params cannot be shared.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import Graph, Op, QuantParams, Tensor, fresh_name
from edgelite.quant import params as qp
from edgelite.quant import rules
from edgelite.quant.plan import act_inputs


def apply(graph: Graph, plan) -> Graph:
    if plan.mode in ("int8", "int16x8"):
        return _Integer(graph, plan).run()
    return _weights_only(graph, plan)


def _uint8(q: QuantParams) -> QuantParams:
    return QuantParams(q.scale, q.zero_point + 128, q.axis)


class _Integer:
    def __init__(self, graph, plan):
        self.graph, self.plan, self.dtype = graph, plan, plan.act_dtype
        self.ops: list = []
        self.q: dict = {}  # float tensor name -> its integer tensor
        self.f: dict = {}  # float tensor name -> its float tensor
        self.names = {t.name for t in graph.tensors()}
        exposed = [
            t.name
            for t, k in zip(graph.inputs + graph.outputs, plan.input_types + plan.output_types)
            if k != self.dtype and t.dtype == np.float32
        ]
        self.renamed = {n: self._fresh(f"{n}_{self.dtype}") for n in exposed}

    def _fresh(self, base: str) -> str:
        return fresh_name(base, self.names)

    # -- conversions ----------------------------------------------------------------------------
    def qtensor(self, t) -> Tensor:
        """The integer version of activation ``t`` (a QUANTIZE is added the first time)."""
        if t.name not in self.q:
            q = Tensor(
                self.renamed.get(t.name, t.name),
                t.shape,
                self.dtype,
                quant=self.plan.params[t.name],
            )
            if q.name == t.name:  # t lives as float: the integer copy needs its own name
                q.name = self._fresh(f"{t.name}_{self.dtype}")
            self.ops.append(Op("QUANTIZE", [self.ftensor(t)], [q], name=q.name, version=1))
            self.q[t.name] = q
        return self.q[t.name]

    def ftensor(self, t) -> Tensor:
        """The float version of ``t`` (a DEQUANTIZE is added the first time)."""
        if t.name not in self.f:
            f = Tensor(self._fresh(f"{t.name}_dequantized"), t.shape, np.float32)
            self.ops.append(Op("DEQUANTIZE", [self.q[t.name]], [f], name=f.name, version=2))
            self.f[t.name] = f
        return self.f[t.name]

    def requantize(self, q: Tensor, target: QuantParams) -> Tensor:
        out = Tensor(self._fresh(f"{q.name}_requantized"), q.shape, self.dtype, quant=target)
        self.ops.append(Op("QUANTIZE", [q], [out], name=out.name, version=2))
        return out

    # -- the walk -------------------------------------------------------------------------------
    def run(self) -> Graph:
        inputs = [self._input(t, k) for t, k in zip(self.graph.inputs, self.plan.input_types)]
        for p, op in zip(self.plan.ops, self.graph.ops):
            if p.action == "quantize":
                self._quantized(p, op)
            elif p.action == "float":
                self._float(op)
            else:  # no float tensors: unchanged
                keep = Op(op.type, list(op.inputs), list(op.outputs), dict(op.options), op.name)
                keep.version = op.version
                self.ops.append(keep)
        outputs = [self._output(t, k) for t, k in zip(self.graph.outputs, self.plan.output_types)]
        g = self.graph
        return Graph(self.ops, inputs, outputs, g.name, dict(g.metadata), g.description)

    def _input(self, t, kind) -> Tensor:
        if t.dtype != np.float32 or t.name not in self.plan.params:
            self.f[t.name] = t
            return t
        q = self.plan.params[t.name]
        if kind == "float32":
            self.f[t.name] = t
            return t
        if kind == "uint8":
            u = Tensor(t.name, t.shape, np.uint8, quant=_uint8(q))
            inner = Tensor(self.renamed[t.name], t.shape, self.dtype, quant=q)
            self.ops.append(Op("QUANTIZE", [u], [inner], name=inner.name, version=2))
            self.q[t.name] = inner
            return u
        self.q[t.name] = Tensor(t.name, t.shape, self.dtype, quant=q)
        return self.q[t.name]

    def _output(self, t, kind) -> Tensor:
        if t.dtype != np.float32 or (t.name not in self.q and t.name not in self.plan.params):
            return self.f.get(t.name, t)
        if kind == "float32":
            if t.name in self.f and self.f[t.name].name == t.name:
                return self.f[t.name]
            self.ops.append(Op("DEQUANTIZE", [self.q[t.name]], [t], name=t.name, version=2))
            return t
        q = self.qtensor(t)
        if kind == "uint8":
            u = Tensor(t.name, t.shape, np.uint8, quant=_uint8(q.quant))
            self.ops.append(Op("QUANTIZE", [q], [u], name=t.name, version=2))
            return u
        return q

    def _float(self, op) -> None:
        ins = [
            self.ftensor(t) if t is not None and t.name in self.q and not t.is_const else t
            for t in op.inputs
        ]
        for t in op.outputs:
            self.f[t.name] = t
        self.ops.append(Op(op.type, ins, list(op.outputs), dict(op.options), op.name, op.version))

    def _quantized(self, p, op) -> None:
        rule = rules.rule_for(op.type)
        acts = set(act_inputs(op, rule))
        ins = list(op.inputs)
        for i, t in enumerate(op.inputs):
            if t is None or t.is_const or i not in acts:
                continue
            ins[i] = self.qtensor(t)
            if (p.index, i) in self.plan.requantize:
                ins[i] = self.requantize(ins[i], self.plan.requantize[(p.index, i)])
        order = sorted(
            (k for k in self.plan.consts if k[0] == p.index),
            key=lambda k: self.plan.consts[k][0] == "bias",
        )
        for key in order:
            ins += [None] * (key[1] + 1 - len(ins))
            ins[key[1]] = self._const(op, key[1], self.plan.consts[key], ins)
        outs = []
        for t in op.outputs:
            if t.dtype != np.float32:
                outs.append(t)
                continue
            q = Tensor(
                self.renamed.get(t.name, t.name),
                t.shape,
                self.dtype,
                quant=self.plan.params[t.name],
            )
            self.q[t.name] = q
            outs.append(q)
        options = _safe_activation(dict(op.options), outs)
        self.ops.append(Op(op.type, ins, outs, options, op.name, p.version))

    def _const(self, op, index, spec, ins) -> Tensor:
        kind = spec[0]
        if kind == "bias":
            return self._bias(op, index, spec, ins)
        t = op.inputs[index]
        w = np.asarray(t.data, np.float64)
        if kind == "weight":
            q = qp.weight_params(w, spec[1])
            return Tensor(t.name, t.shape, np.int8, qp.quantize(w, q, "int8", narrow=True), q)
        if kind == "params":
            q = spec[1]
        elif kind == "symmetric" or self.dtype == "int16":
            q = qp.symmetric(
                np.abs(w).max(initial=0.0), "int8" if kind == "symmetric" else self.dtype
            )
        else:
            q = qp.asymmetric(w.min(initial=0.0), w.max(initial=0.0), self.dtype)
        dtype = "int8" if kind == "symmetric" else self.dtype
        return Tensor(t.name, t.shape, np.dtype(dtype), qp.quantize(w, q, dtype), q)

    def _bias(self, op, index, spec, ins) -> Tensor:
        """int32 (int64) bias at s_in * s_w; with an input mean (bias correction), minus the
        mean output shift the weights' rounding causes: (dequantized W - W) . E[x]."""
        _, act, widx, mean = spec
        wq = ins[widx]
        t = op.inputs[index] if index < len(op.inputs) else None
        channels = wq.shape[3] if op.type == "DEPTHWISE_CONV_2D" else wq.shape[0]
        if t is None:
            name = self._fresh(f"{op.name or op.outputs[0].name}/bias")
            t = Tensor(name, (channels,), np.float32, np.zeros(channels, np.float32))
        b = np.asarray(t.data, np.float64)
        if mean is not None:
            b = b - _weight_error_shift(op, op.inputs[widx].data, wq, mean).reshape(b.shape)
        wide = "int64" if self.dtype == "int16" else "int32"
        data, q = qp.quantize_bias(b, ins[act].quant, wq.quant, wide)
        return Tensor(t.name, t.shape, np.dtype(wide), data.reshape(t.shape), q)


def _weight_error_shift(op, w, wq: Tensor, mean) -> np.ndarray:
    """Per output channel: the expected output change from quantizing the weights."""
    err = qp.dequantize(wq.data, wq.quant).astype(np.float64) - np.asarray(w, np.float64)
    if op.type == "DEPTHWISE_CONV_2D":  # [1, kh, kw, C*m]; output c*m+j reads input c
        per_out = np.repeat(mean, err.shape[3] // mean.size)
        return err.sum(axis=(0, 1, 2)) * per_out
    # CONV_2D [O, kh, kw, I] and FULLY_CONNECTED [O, I]: sum over taps, dot with the mean
    return err.reshape(err.shape[0], -1, mean.size).sum(axis=1) @ mean


_BOUNDS = {"RELU6": (0.0, 6.0), "RELU_N1_TO_1": (-1.0, 1.0), "RELU_0_TO_1": (0.0, 1.0)}
_SAFE = {"RELU6": "RELU", "RELU_0_TO_1": "RELU"}


def _safe_activation(options: dict, outs: list) -> dict:
    """Drop a fused clamp whose bound, in output units, overflows int32: TFLite's kernels refuse
    it, and a bound that far beyond the output's range clamps nothing anyway."""
    act = options.get("fused_activation_function")
    if act not in _BOUNDS or not outs or outs[0].quant is None:
        return options
    scale = float(outs[0].quant.scale[0])
    if max(abs(b) for b in _BOUNDS[act]) / scale < 2.0**30:
        return options
    options["fused_activation_function"] = _SAFE.get(act, "NONE")
    return options


# -- weight-only modes ---------------------------------------------------------------------------
def _weights_only(graph: Graph, plan) -> Graph:
    ops, head, done = [], [], {}
    for p, op in zip(plan.ops, graph.ops):
        ins = list(op.inputs)
        for (i, j), spec in plan.consts.items():
            if i != p.index:
                continue
            t = op.inputs[j]
            if spec[0] == "weight":
                q = qp.weight_params(t.data, spec[1])
                data = qp.quantize(t.data, q, "int8", narrow=True)
                ins[j] = Tensor(t.name, t.shape, np.int8, data, q)
            elif id(t) not in done:  # float16: one DEQUANTIZE per constant, at the top
                half = Tensor(t.name, t.shape, np.float16, np.asarray(t.data, np.float16))
                done[id(t)] = Tensor(f"{t.name}_dequantized", t.shape, np.float32)
                head.append(Op("DEQUANTIZE", [half], [done[id(t)]], name=t.name, version=3))
            if spec[0] == "float16":
                ins[j] = done[id(t)]
        options = dict(op.options)
        hybrid_types = ("FULLY_CONNECTED", "BATCH_MATMUL")
        if p.action == "hybrid" and op.type in hybrid_types and plan.mode == "dynamic":
            options["asymmetric_quantize_inputs"] = True
        version = p.version if plan.mode == "dynamic" else op.version
        ops.append(Op(op.type, ins, list(op.outputs), options, op.name, version))
    return Graph(
        head + ops,
        list(graph.inputs),
        list(graph.outputs),
        graph.name,
        dict(graph.metadata),
        graph.description,
    )
