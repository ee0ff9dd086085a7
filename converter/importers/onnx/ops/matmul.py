"""Gemm, MatMul and Einsum as FULLY_CONNECTED (constant 2-D weights) or BATCH_MATMUL."""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.layout import identity
from edgelite.converter.importers.onnx.ops._common import FLOAT, require, reshape, transpose
from edgelite.converter.importers.onnx.registry import Unsupported, register

NONE = {"fused_activation_function": "NONE"}


@register(
    "Gemm",
    inputs=(2, 3),
    attrs={"alpha": 1.0, "beta": 1.0, "transA": 0, "transB": 0, "broadcast": None},
)
def gemm(cx):
    """alpha * A' @ B' + beta * C: alpha goes into the weights and beta * C into the bias."""
    a, b, c = cx.input(0), cx.input(1), cx.input(2)
    alpha, beta = float(cx.attr("alpha")), float(cx.attr("beta"))
    x = cx.t(a, (1, 0) if cx.attr("transA") else (0, 1))
    m, n = cx.out_shape()
    bias, add = None, None
    if c is not None:
        if c.is_const and c.const.size in (1, n) and (c.rank < 2 or c.shape[0] == 1):
            bias = np.broadcast_to(np.asarray(c.const, FLOAT).reshape(-1), (n,)) * beta
        else:
            add = c
    if b.is_const:
        w = np.asarray(b.const, FLOAT)
        w = (w if cx.attr("transB") else w.T) * alpha
        inputs = [x, cx.const(np.ascontiguousarray(w), "weights")]
        inputs.append(
            cx.const(np.ascontiguousarray(bias, FLOAT), "bias") if bias is not None else None
        )
        y = cx.op("FULLY_CONNECTED", inputs, (m, n), suffix="fc", keep_num_dims=False, **NONE)
    else:
        y = cx.op(
            "BATCH_MATMUL",
            [x, cx.t(b, identity(2))],
            (m, n),
            suffix="matmul",
            adj_x=False,
            adj_y=bool(cx.attr("transB")),
        )
        if alpha != 1.0:
            y = cx.op("MUL", [y, cx.const(np.float32(alpha), "alpha")], (m, n), **NONE)
        if bias is not None:
            y = cx.op("ADD", [y, cx.const(bias.astype(FLOAT), "bias")], (m, n), **NONE)
    if add is not None:
        ct = (
            cx.const(np.asarray(add.const, FLOAT) * beta, "c")
            if add.is_const
            else cx.t(add, (0, 1))
        )
        if not add.is_const and beta != 1.0:
            ct = cx.op("MUL", [ct, cx.const(np.float32(beta), "beta")], ct.shape, **NONE)
        y = cx.op("ADD", [y, ct], (m, n), **NONE)
    cx.set_output(0, y)


@register("MatMul", inputs=(2, 2))
def matmul(cx):
    a, b = cx.input(0), cx.input(1)
    if b.is_const and b.rank == 2 and a.rank >= 2 and not a.is_const:
        return _fully_connected(cx, a, b)
    xa = cx.t(a, identity(a.rank))
    xb = cx.t(b, identity(b.rank))
    sa, sb = a.shape, b.shape
    if a.rank == 1:
        sa = (1,) + sa
        xa = reshape(cx, xa, sa, "lhs_2d")
    if b.rank == 1:
        sb = sb + (1,)
        xb = reshape(cx, xb, sb, "rhs_2d")
    batch = np.broadcast_shapes(sa[:-2], sb[:-2])
    shape = tuple(batch) + (sa[-2], sb[-1])
    y = cx.op("BATCH_MATMUL", [xa, xb], shape, a.dtype, suffix="matmul", adj_x=False, adj_y=False)
    cx.set_output(0, reshape(cx, y, cx.out_shape(), "squeeze"))


def _fully_connected(cx, a, b):
    """x @ W with constant 2-D W: FULLY_CONNECTED over the last axis (keep_num_dims). Any
    layout that keeps the contracted axis last works, and the output keeps it."""
    perm = a.perm if a.perm[-1] == a.rank - 1 else identity(a.rank)
    x = cx.t(a, perm)
    w = np.ascontiguousarray(np.asarray(b.const, FLOAT).T)
    shape = tuple(abs(d) for d in x.shape[:-1]) + (w.shape[0],)
    y = cx.op(
        "FULLY_CONNECTED",
        [x, cx.const(w, "weights"), None],
        shape,
        suffix="fc",
        keep_num_dims=a.rank > 2,
        **NONE,
    )
    cx.set_output(0, y, perm)


@register("Einsum", inputs=(1, 2), attrs={"equation": None})
def einsum(cx):
    """Two-operand contractions without ellipsis or repeated letters, as one BATCH_MATMUL
    between transposes/reshapes; one-operand permutations as one TRANSPOSE."""
    eq = cx.attr("equation").replace(" ", "")
    require("..." not in eq, "Einsum with ellipsis is not supported")
    lhs, out = eq.split("->") if "->" in eq else (eq, None)
    terms = lhs.split(",")
    if out is None:
        letters = "".join(terms)
        out = "".join(sorted(ch for ch in set(letters) if letters.count(ch) == 1))
    require(all(len(set(t)) == len(t) for t in terms + [out]), "repeated Einsum letters")
    if len(terms) == 1:
        require(sorted(terms[0]) == sorted(out), f"Einsum '{eq}' reduces (only permutes are)")
        x = cx.input(0)
        y = transpose(cx, cx.t(x, identity(x.rank)), [terms[0].index(ch) for ch in out])
        return cx.set_output(0, y)
    _einsum_matmul(cx, terms[0], terms[1], out, eq)


def _einsum_matmul(cx, ta, tb, out, eq):
    a, b = cx.input(0), cx.input(1)
    sizes = dict(zip(ta, a.shape))
    for ch, s in zip(tb, b.shape):
        if sizes.setdefault(ch, s) != s:
            raise Unsupported(f"Einsum '{eq}': letter '{ch}' has sizes {sizes[ch]} and {s}")
    batch = [ch for ch in out if ch in ta and ch in tb]
    contract = [ch for ch in ta if ch in tb and ch not in out]
    lfree = [ch for ch in out if ch in ta and ch not in tb]
    rfree = [ch for ch in out if ch in tb and ch not in ta]
    if set(ta + tb) - set(batch + contract + lfree + rfree):
        raise Unsupported(f"Einsum '{eq}' sums a letter of one operand only")
    prod = lambda chars: int(np.prod([sizes[ch] for ch in chars]))  # noqa: E731
    bs = [sizes[ch] for ch in batch]
    xa = _operand(cx, a, ta, batch + lfree + contract, bs + [prod(lfree), prod(contract)], "lhs")
    xb = _operand(cx, b, tb, batch + contract + rfree, bs + [prod(contract), prod(rfree)], "rhs")
    y = cx.op(
        "BATCH_MATMUL",
        [xa, xb],
        bs + [prod(lfree), prod(rfree)],
        a.dtype,
        suffix="matmul",
        adj_x=False,
        adj_y=False,
    )
    order = batch + lfree + rfree
    y = reshape(cx, y, [sizes[ch] for ch in order], "unflatten")
    cx.set_output(0, transpose(cx, y, [order.index(ch) for ch in out], "to_output"))


def _operand(cx, v, term, order, shape, suffix):
    perm = [term.index(ch) for ch in order]
    if v.is_const:
        c = np.ascontiguousarray(np.transpose(v.const, perm).reshape(shape))
        return cx.const(c, suffix)
    t = transpose(cx, cx.t(v, identity(v.rank)), perm, f"{suffix}_transpose")
    return reshape(cx, t, shape, f"{suffix}_reshape")
