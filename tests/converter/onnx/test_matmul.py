"""Gemm, MatMul and Einsum against onnxruntime (ours and LiteRT)."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_harness import check, one_node, op_types

R = np.random.default_rng(2)


def rand(*shape):
    return R.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize(
    "attrs, b_shape, c_shape",
    [
        ({}, (6, 4), (4,)),
        ({"transB": 1}, (4, 6), (4,)),
        ({"transB": 1, "alpha": 0.5, "beta": 2.0}, (4, 6), (1, 4)),
        ({"transA": 1}, (6, 4), None),
        ({"beta": 0.5}, (6, 4), (3, 4)),
        ({}, (6, 4), ()),
    ],
)
def test_gemm_constant_weights(attrs, b_shape, c_shape):
    a = rand(6, 3) if attrs.get("transA") else rand(3, 6)
    inits = {"b": rand(*b_shape)}
    if c_shape is not None:
        inits["c"] = rand(*c_shape)
    g = check(one_node("Gemm", {"a": a}, initializers=inits, **attrs), {"a": a})
    assert "FULLY_CONNECTED" in op_types(g)


def test_gemm_runtime_weights():
    a, b = rand(3, 6), rand(4, 6)
    check(one_node("Gemm", {"a": a, "b": b}, transB=1, alpha=2.0), {"a": a, "b": b})


@pytest.mark.parametrize("a_shape", [(5, 6), (2, 5, 6), (2, 3, 5, 6)])
def test_matmul_constant_weights_is_fully_connected(a_shape):
    a = rand(*a_shape)
    g = check(one_node("MatMul", {"a": a}, initializers={"w": rand(6, 4)}), {"a": a})
    assert "FULLY_CONNECTED" in op_types(g)


@pytest.mark.parametrize(
    "a_shape, b_shape",
    [
        ((2, 5, 6), (2, 6, 3)),
        ((2, 3, 5, 6), (6, 4)),
        ((3, 5, 6), (1, 6, 2)),
        ((6,), (2, 6, 3)),
        ((2, 5, 6), (6,)),
    ],
)
def test_matmul_batched(a_shape, b_shape):
    a, b = rand(*a_shape), rand(*b_shape)
    check(one_node("MatMul", {"a": a, "b": b}), {"a": a, "b": b})


@pytest.mark.parametrize(
    "eq, shapes",
    [
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("bhqd,bhkd->bhqk", [(1, 2, 5, 4), (1, 2, 6, 4)]),
        ("ij,jk", [(3, 4), (4, 5)]),
        ("bid,de->bie", [(2, 3, 4), (4, 6)]),
        ("ij->ji", [(3, 4)]),
    ],
)
def test_einsum(eq, shapes):
    names = ["a", "b"][: len(shapes)]
    feeds = {n: rand(*s) for n, s in zip(names, shapes)}
    check(one_node("Einsum", feeds, equation=eq), feeds)


def test_einsum_constant_operand():
    a = rand(2, 3, 4)
    check(
        one_node("Einsum", {"a": a}, initializers={"w": rand(4, 5)}, equation="bij,jk->bik"),
        {"a": a},
    )
