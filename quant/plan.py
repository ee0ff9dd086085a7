"""The quantization plan: per op what happens to it, per tensor which params it gets.

Nothing here touches the Graph; ``quant.apply`` performs a plan in one step. Tensors are keyed
by name (``quantize`` makes names unique first). For the integer modes activation params are
decided graph-wide before any constant is quantized, because ops that TFLite requires to keep
their input's params (reshape, pooling, concatenation, ...) tie tensors into groups whose
params cover every member's range; a bias scale then follows its op's final input scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from edgelite.converter.ir import QuantParams
from edgelite.errors import QuantizationError
from edgelite.quant import params as qp
from edgelite.quant import rules

MODES = ("int8", "int16x8", "dynamic", "float16")
ACT_DTYPE = {"int8": "int8", "int16x8": "int16"}
IO_TYPES = ("int8", "uint8", "int16", "float32")


@dataclass
class OpPlan:
    index: int
    name: str
    type: str
    action: str  # "quantize" | "float" (kept float) | "hybrid" | "keep" (no float tensors)
    version: int
    family: str = ""
    reason: str = ""


@dataclass
class Plan:
    mode: str
    ops: list
    act_dtype: Optional[str] = None
    params: dict = field(default_factory=dict)  # activation name -> QuantParams
    consts: dict = field(default_factory=dict)  # (op index, input index) -> spec tuple
    requantize: dict = field(default_factory=dict)  # (op index, input index) -> QuantParams
    input_types: list = field(default_factory=list)
    output_types: list = field(default_factory=list)
    per_channel: bool = True

    def summary(self) -> dict:
        counts: dict = {}
        for p in self.ops:
            counts[p.action] = counts.get(p.action, 0) + 1
        return {
            "mode": self.mode,
            "ops": counts,
            "float_ops": [
                {"index": p.index, "name": p.name, "type": p.type, "reason": p.reason}
                for p in self.ops
                if p.action == "float"
            ],
            "input_types": self.input_types,
            "output_types": self.output_types,
        }


# -- helpers -------------------------------------------------------------------------------------
def _is_float(t) -> bool:
    return t is not None and t.dtype == np.float32


def excluded_ops(graph, patterns) -> set:
    """Indices of ops whose name, or an output's name, equals or fully matches a pattern."""
    out = set()
    for pattern in patterns or ():
        try:
            rx = re.compile(pattern)
        except re.error:
            rx = None
        hit = False
        for i, op in enumerate(graph.ops):
            names = [op.name] + [t.name for t in op.outputs]
            if pattern in names or (rx is not None and any(rx.fullmatch(n) for n in names)):
                out.add(i)
                hit = True
        if not hit:
            raise QuantizationError(f"--exclude {pattern!r} matches no op or output tensor name")
    return out


def act_inputs(op, rule) -> list:
    """Indices of the op's float, non-constant inputs the rule treats as activations."""
    idx = range(len(op.inputs)) if rule.acts is None else rule.acts
    return [i for i in idx if i < len(op.inputs) and _is_float(op.inputs[i])]


def _decide(i, op, dtype, excluded, ranges) -> OpPlan:
    floats = [t for t in op.inputs + op.outputs if _is_float(t)]
    plan = OpPlan(i, op.name, op.type, "keep", op.version)
    if not floats:
        return plan
    rule = rules.rule_for(op.type)
    plan.action, plan.family = "float", rule.family if rule else ""
    if i in excluded:
        plan.reason = "excluded"
    elif rule is None or dtype not in rule.dtypes:
        plan.reason = f"TFLite has no {dtype} kernel for {op.type}"
    elif rule.weight and not (
        op.inputs[rule.weight[0]] is not None and op.inputs[rule.weight[0]].is_const
    ):
        plan.reason = "weights are not constant"
    elif any(
        _is_float(t) and not t.is_const and t.name not in ranges for t in op.inputs + op.outputs
    ):
        plan.reason = "a tensor was not calibrated"
    else:
        plan.action, plan.version = "quantize", rules.version_for(op, dtype)
    return plan


class _Groups:
    """Union-find over tensor names; each root knows its members' range and fixed params."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, a):
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


# -- integer plans -------------------------------------------------------------------------------
def plan_integer(
    graph,
    ranges,
    mode="int8",
    *,
    per_channel=True,
    input_type=None,
    output_type=None,
    exclude=(),
    means=None,
) -> Plan:
    """``ranges``: calibrated (lo, hi) per tensor name. ``means``: per-channel means of
    weighted ops' inputs, for bias correction (None: no correction)."""
    dtype = ACT_DTYPE[mode]
    excluded = excluded_ops(graph, exclude)
    ops = [_decide(i, op, dtype, excluded, ranges) for i, op in enumerate(graph.ops)]
    plan = Plan(mode, ops, dtype, per_channel=per_channel)
    groups, fixed = _Groups(), {}
    quantized = [(p, graph.ops[p.index]) for p in ops if p.action == "quantize"]
    for _, op in quantized:
        rule = rules.rule_for(op.type)
        for t in [op.inputs[i] for i in act_inputs(op, rule)] + op.outputs:
            if _is_float(t) and not t.is_const:
                groups.find(t.name)
        spec = rules.fixed_params(rule, dtype)
        if spec is not None:
            fixed[op.outputs[0].name] = QuantParams(np.float32(spec[0]), spec[1])
    default = dtype if mode == "int8" else "float32"
    plan.input_types = [_io_type(input_type or default, t, dtype) for t in graph.inputs]
    plan.output_types = [_io_type(output_type or default, t, dtype) for t in graph.outputs]
    # integer model inputs / outputs need params even where only float ops touch them
    for t, kind in zip(graph.inputs + graph.outputs, plan.input_types + plan.output_types):
        if _is_float(t) and kind != "float32" and t.name in ranges:
            groups.find(t.name)
    _tie(plan, graph, quantized, groups, fixed)
    _group_params(plan, groups, fixed, ranges, dtype)
    _const_specs(plan, graph, quantized, means or {})
    return plan


def _tie(plan, graph, quantized, groups, fixed) -> None:
    for p, op in quantized:
        rule = rules.rule_for(op.type)
        if rule.output != "tie":
            continue
        ins = [i for i in act_inputs(op, rule) if not op.inputs[i].is_const]
        outs = [t.name for t in op.outputs if _is_float(t)]
        if not ins:
            continue
        anchor = outs[0] if outs else op.inputs[ins[0]].name
        for i in ins:
            name = op.inputs[i].name
            if (
                len(ins) > 1
                and _has_fixed(groups, fixed, name)
                and not _has_fixed(groups, fixed, anchor)
            ):
                plan.requantize[(p.index, i)] = anchor  # resolved to params later
                continue
            groups.union(anchor, name)
        for name in outs[1:]:
            groups.union(anchor, name)


def _has_fixed(groups, fixed, name) -> bool:
    root = groups.find(name)
    return any(groups.find(f) == root for f in fixed)


def _group_params(plan, groups, fixed, ranges, dtype) -> None:
    members: dict = {}
    for name in list(groups.parent):
        members.setdefault(groups.find(name), []).append(name)
    for names in members.values():
        pinned = [fixed[n] for n in names if n in fixed]
        if pinned:
            q = pinned[0]
        else:
            lo = min(ranges[n][0] for n in names)
            hi = max(ranges[n][1] for n in names)
            if not (np.isfinite(lo) and np.isfinite(hi)):
                bad = [n for n in names if not np.all(np.isfinite(ranges[n]))]
                raise QuantizationError(
                    f"tensor '{bad[0]}' took inf or NaN values on the calibration data, so it "
                    "has no quantized range: check the samples (inf/NaN, or values that "
                    "overflow float32 inside the model) or keep the ops around it float "
                    "(exclude=)"
                )
            q = activation_params(lo, hi, dtype)
        for n in names:
            plan.params[n] = q
    for key, anchor in list(plan.requantize.items()):
        plan.requantize[key] = plan.params[anchor]


def activation_params(lo, hi, dtype) -> QuantParams:
    if dtype == "int16":
        return qp.symmetric(max(abs(lo), abs(hi)), "int16")
    return qp.asymmetric(lo, hi, dtype)


def _const_specs(plan, graph, quantized, means) -> None:
    """How each float constant input of a quantized op becomes an integer constant."""
    for p, op in quantized:
        rule = rules.rule_for(op.type)
        mean = _correctable_mean(op, rule, means)
        if mean is not None:  # the bias absorbs the mean error of the rounded weights
            plan.consts[(p.index, rule.bias)] = ("bias", rule.acts[0], rule.weight[0], mean)
        for i, t in enumerate(op.inputs):
            if not (_is_float(t) and t.is_const):
                continue
            if rule.weight and i == rule.weight[0]:
                axis = rule.weight[1] if plan.per_channel else None
                plan.consts[(p.index, i)] = ("weight", axis)
            elif rule.bias is not None and i == rule.bias:
                plan.consts.setdefault((p.index, i), ("bias", rule.acts[0], rule.weight[0], None))
            elif rule.consts == "tied":
                plan.consts[(p.index, i)] = ("params", plan.params[op.outputs[0].name])
            else:
                plan.consts[(p.index, i)] = (rule.consts,)


_CORRECTED = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}


def _correctable_mean(op, rule, means):
    """The per-channel mean of the op's input when its bias can correct the weights' error."""
    if op.type not in _CORRECTED or op.inputs[0].name not in means:
        return None
    mean, w = np.asarray(means[op.inputs[0].name], np.float64), op.inputs[rule.weight[0]]
    bias = op.inputs[rule.bias] if rule.bias < len(op.inputs) else None
    if bias is None or not (bias.is_const and bias.dtype == np.float32):
        return None  # adding a bias would cost ~10 bytes per channel: only existing ones
    channels_in = w.shape[-1] if op.type != "DEPTHWISE_CONV_2D" else op.inputs[0].shape[-1]
    return mean if mean.shape == (channels_in,) else None


def _io_type(kind, t, dtype) -> str:
    if kind not in IO_TYPES:
        raise QuantizationError(f"input/output type {kind!r}: use one of {IO_TYPES}")
    if not _is_float(t):
        return t.dtype.name
    if kind in ("int8", "uint8") and dtype == "int16":
        raise QuantizationError(f"int16x8 models take int16 or float32 I/O, not {kind}")
    if kind == "int16" and dtype != "int16":
        raise QuantizationError("int16 I/O needs mode='int16x8'")
    return kind


# -- weight-only plans ---------------------------------------------------------------------------
def plan_dynamic(graph, *, per_channel=True, exclude=(), min_elements=1024) -> Plan:
    """int8 weights (>= ``min_elements`` values) for hybrid ops; everything else stays float."""
    excluded = excluded_ops(graph, exclude)
    plan = Plan("dynamic", [], per_channel=per_channel)
    for i, op in enumerate(graph.ops):
        p = OpPlan(i, op.name, op.type, "keep", op.version)
        hybrid = rules.HYBRID.get(op.type)
        if hybrid and i not in excluded and _is_float(op.inputs[0]):
            w = op.inputs[hybrid[0]]
            if _is_float(w) and w.is_const and w.size >= min_elements:
                p.action, p.family, p.version = "hybrid", "weighted", max(hybrid[2], op.version)
                plan.consts[(i, hybrid[0])] = ("weight", hybrid[1] if per_channel else None)
            elif _is_float(w) and w.is_const:
                p.reason = f"weights under {min_elements} elements stay float"
        plan.ops.append(p)
    return plan


def plan_float16(graph, *, exclude=()) -> Plan:
    """Every float32 constant input becomes float16 with a DEQUANTIZE in front of its op."""
    excluded = excluded_ops(graph, exclude)
    plan = Plan("float16", [])
    for i, op in enumerate(graph.ops):
        p = OpPlan(i, op.name, op.type, "keep", op.version)
        if i not in excluded:
            for j, t in enumerate(op.inputs):
                if _is_float(t) and t.is_const:
                    plan.consts[(i, j)] = ("float16",)
                    p.action = "hybrid"
        plan.ops.append(p)
    return plan
