"""Rewrites on the ONNX node list before import, for subgraphs TFLite has one op for.

- Erf-based GELU: ``x * 0.5 * (1 + Erf(x / sqrt(2)))``, as PyTorch exports ``nn.GELU()``,
  becomes one ``Gelu`` node (TFLite has GELU but no ERF). The products may come in any order.
- Hard swish spelled out: ``x * Clip(x + 3, 0, 6) / 6`` (Paddle, older exporters) or
  ``x * HardSigmoid(x, 1/6, 0.5)`` becomes one ``HardSwish`` node.

A match needs every intermediate value to have exactly one user and not be a graph output.
"""

from __future__ import annotations

import numpy as np
from onnx import helper


def fuse_patterns(nodes: list, consts: dict, outputs=()) -> list:
    """``nodes`` with every recognised GELU subgraph replaced by one ``Gelu`` node."""
    scalars = _scalar_constants(nodes, consts)
    graph = _Uses(nodes, outputs)
    removed, added = set(), {}
    for node in nodes:
        if node.op_type not in _MATCHERS or id(node) in removed:
            continue
        op_type, matcher = _MATCHERS[node.op_type]
        match = matcher(node, graph, scalars)
        if match is not None and not any(id(n) in removed for n in match[2]):
            x, y, matched = match
            removed.update(id(n) for n in matched)
            last = max(matched, key=lambda n: graph.order[id(n)])
            name = f"{last.name or y}/{op_type.lower()}"
            added[id(last)] = helper.make_node(op_type, [x], [y], name=name)
    out = []
    for node in nodes:
        if id(node) in added:
            out.append(added[id(node)])
        elif id(node) not in removed:
            out.append(node)
    return out


class _Uses:
    def __init__(self, nodes, outputs):
        self.producer = {o: n for n in nodes for o in n.output}
        self.order = {id(n): i for i, n in enumerate(nodes)}
        self.users: dict = {}
        for n in nodes:
            for i in n.input:
                self.users.setdefault(i, []).append(n)
        self.outputs = set(outputs)

    def sole_user(self, name):
        users = self.users.get(name, [])
        if len(users) != 1 or name in self.outputs:
            return None
        return users[0]


def _scalar_constants(nodes, consts) -> dict:
    """name -> float for every one-element constant (initializers and Constant nodes)."""
    from onnx import numpy_helper

    out = {}
    for name, v in consts.items():
        if v.const is not None and v.const.size == 1 and v.const.dtype.kind == "f":
            out[name] = float(v.const.reshape(-1)[0])
    for n in nodes:
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            try:
                value = numpy_helper.to_array(n.attribute[0].t)
            except Exception:  # a malformed tensor: converting the node itself reports it
                continue
            if value.size == 1 and value.dtype.kind == "f":
                out[n.output[0]] = float(value.reshape(-1)[0])
    return out


def _other(node, name):
    """The input of a binary node that is not ``name`` (None if both or neither are)."""
    a, b = node.input[0], node.input[1]
    if (a == name) == (b == name):
        return None
    return b if a == name else a


def _is(scalars, name, value) -> bool:
    return name in scalars and np.isclose(scalars[name], value, rtol=1e-3)


def _match_gelu(erf, graph: _Uses, scalars):
    """(x, y, nodes in graph order) when ``erf`` sits in an Erf-GELU subgraph."""
    pre = graph.producer.get(erf.input[0])
    if pre is None or graph.sole_user(pre.output[0]) is not erf:
        return None
    if pre.op_type == "Div" and _is(scalars, pre.input[1], np.sqrt(2.0)):
        x = pre.input[0]
    elif pre.op_type == "Mul" and _is(scalars, pre.input[1], np.sqrt(0.5)):
        x = pre.input[0]
    elif pre.op_type == "Mul" and _is(scalars, pre.input[0], np.sqrt(0.5)):
        x = pre.input[1]
    else:
        return None
    add = graph.sole_user(erf.output[0])
    if add is None or add.op_type != "Add" or not _is(scalars, _other(add, erf.output[0]), 1.0):
        return None
    m1 = graph.sole_user(add.output[0])
    if m1 is None or m1.op_type != "Mul":
        return None
    o = _other(m1, add.output[0])
    matched = [pre, erf, add, m1]
    if o == x or _is(scalars, o, 0.5):  # (x * a) * 0.5 or (a * 0.5) * x
        m2 = graph.sole_user(m1.output[0])
        want = 0.5 if o == x else None
        if m2 is None or m2.op_type != "Mul":
            return None
        o2 = _other(m2, m1.output[0])
        if not (_is(scalars, o2, 0.5) if want else o2 == x):
            return None
        return x, m2.output[0], matched + [m2]
    half = graph.producer.get(o)  # (x * 0.5) * a
    if (
        half is not None
        and half.op_type == "Mul"
        and graph.sole_user(o) is m1
        and _is(scalars, _other(half, x) or "", 0.5)
    ):
        return x, m1.output[0], [half] + matched
    return None


def _is_scaled_by_sixth(node, name, scalars) -> bool:
    """``node`` computes name / 6 or name * (1/6)."""
    if node is None or len(node.input) != 2:
        return False
    if node.op_type == "Div":
        return node.input[0] == name and _is(scalars, node.input[1], 6.0)
    return node.op_type == "Mul" and _is(scalars, _other(node, name) or "", 1.0 / 6.0)


def _clip_bounds(clip, scalars):
    if len(clip.input) > 1:
        lo = scalars.get(clip.input[1]) if clip.input[1] else None
        hi = scalars.get(clip.input[2]) if len(clip.input) > 2 and clip.input[2] else None
        return lo, hi
    attrs = {a.name: helper.get_attribute_value(a) for a in clip.attribute}
    return attrs.get("min"), attrs.get("max")


def _match_hard_swish_clip(clip, graph: _Uses, scalars):
    """x * Clip(x + 3, 0, 6) / 6 (products and the division in either order)."""
    add = graph.producer.get(clip.input[0])
    if add is None or add.op_type != "Add" or graph.sole_user(add.output[0]) is not clip:
        return None
    x = _other(add, next((i for i in add.input if _is(scalars, i, 3.0)), ""))
    if x is None or _clip_bounds(clip, scalars) != (0.0, 6.0):
        return None
    u = graph.sole_user(clip.output[0])
    if u is not None and u.op_type == "Mul" and _other(u, clip.output[0]) == x:
        v = graph.sole_user(u.output[0])
        if _is_scaled_by_sixth(v, u.output[0], scalars):
            return x, v.output[0], [add, clip, u, v]
    if _is_scaled_by_sixth(u, clip.output[0], scalars):
        w = graph.sole_user(u.output[0])
        if w is not None and w.op_type == "Mul" and _other(w, u.output[0]) == x:
            return x, w.output[0], [add, clip, u, w]
    return None


def _match_hard_swish_sigmoid(hs, graph: _Uses, scalars):
    """x * HardSigmoid(x, alpha=1/6, beta=0.5)."""
    attrs = {a.name: helper.get_attribute_value(a) for a in hs.attribute}
    if not (np.isclose(attrs.get("alpha", 0.2), 1 / 6) and np.isclose(attrs.get("beta", 0.5), 0.5)):
        return None
    x = hs.input[0]
    mul = graph.sole_user(hs.output[0])
    if mul is None or mul.op_type != "Mul" or _other(mul, hs.output[0]) != x:
        return None
    return x, mul.output[0], [hs, mul]


_MATCHERS = {
    "Erf": ("Gelu", _match_gelu),
    "Clip": ("HardSwish", _match_hard_swish_clip),
    "HardSigmoid": ("HardSwish", _match_hard_swish_sigmoid),
}
