"""Arithmetic cost of one TFLite op from its tensors' static shapes.

Exact multiply-accumulate counts for the matrix ops (CONV_2D, DEPTHWISE_CONV_2D,
TRANSPOSE_CONV, FULLY_CONNECTED, BATCH_MATMUL): one MAC per weight use, FLOPs = 2 x MACs plus
one add per output element when there is a bias. Everything else is approximate, counted per
element: ``ELEMENT_FLOPS`` gives the FLOPs per output element of elementwise ops and
activations (transcendental functions counted as a few operations, as is usual), pools cost
their window per output element, reductions one operation per input element, softmax about
five per element (max, subtract, exp, sum, divide). Data movement (reshape, transpose, slice,
concatenation, padding, gather, ...) costs 0. Quantize/dequantize cost 2 per element. MACs are
0 outside the matrix ops.
"""

from __future__ import annotations

import numpy as np

ELEMENT_FLOPS = {
    "ADD": 1, "SUB": 1, "MUL": 1, "DIV": 1, "MAXIMUM": 1, "MINIMUM": 1, "SQUARED_DIFFERENCE": 2,
    "ADD_N": 1, "FLOOR_DIV": 1, "FLOOR_MOD": 1, "POW": 4, "NEG": 1, "ABS": 1, "SQUARE": 1,
    "SQRT": 1, "RSQRT": 2, "EXP": 4, "LOG": 4, "SIN": 4, "COS": 4, "FLOOR": 1, "CEIL": 1,
    "ROUND": 1, "RELU": 1, "RELU6": 1, "RELU_N1_TO_1": 1, "RELU_0_TO_1": 1, "LEAKY_RELU": 2,
    "PRELU": 2, "ELU": 4, "LOGISTIC": 4, "TANH": 4, "HARD_SWISH": 4, "GELU": 8, "SIGN": 1,
    "QUANTIZE": 2, "DEQUANTIZE": 2, "CAST": 1, "SELECT": 1, "SELECT_V2": 1, "LESS": 1,
    "LESS_EQUAL": 1, "GREATER": 1, "GREATER_EQUAL": 1, "EQUAL": 1, "NOT_EQUAL": 1,
    "LOGICAL_AND": 1, "LOGICAL_OR": 1, "LOGICAL_NOT": 1, "L2_NORMALIZATION": 3,
    "SOFTMAX": 5, "LOG_SOFTMAX": 6, "RESIZE_BILINEAR": 8, "RESIZE_NEAREST_NEIGHBOR": 0,
}  # fmt: skip
REDUCE_OPS = ("MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD", "REDUCE_ANY",
              "ARG_MAX", "ARG_MIN", "CUMSUM")  # fmt: skip
POOL_OPS = ("AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D")
MATRIX_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "FULLY_CONNECTED", "BATCH_MATMUL")


def _shape(t) -> list:
    return [int(d) for d in t.shape] if t is not None and t.shape is not None else []


def _n(t) -> int:
    return int(np.prod(_shape(t))) if _shape(t) else 1


def _has(ins, i) -> bool:
    return len(ins) > i and ins[i] is not None


def _matrix_macs(op: str, ins: list, outs: list, options) -> tuple:
    """(MACs, bias adds) of a matrix op."""
    out = outs[0]
    if op == "CONV_2D":
        _, kh, kw, cin = _shape(ins[1])
        return _n(out) * kh * kw * cin, _n(out) if _has(ins, 2) else 0
    if op == "DEPTHWISE_CONV_2D":
        _, kh, kw, _ = _shape(ins[1])
        return _n(out) * kh * kw, _n(out) if _has(ins, 2) else 0
    if op == "TRANSPOSE_CONV":  # inputs: output shape, weights, data[, bias]
        cout, kh, kw, _ = _shape(ins[1])
        return _n(ins[2]) * kh * kw * cout, _n(out) if _has(ins, 3) else 0
    if op == "FULLY_CONNECTED":
        depth = _shape(ins[1])[-1]
        return _n(out) * depth, _n(out) if _has(ins, 2) else 0
    # BATCH_MATMUL: every output element is a K-long dot product
    lhs = _shape(ins[0])
    adj_x = bool(getattr(options, "adj_x", False))
    depth = lhs[-2] if adj_x else lhs[-1]
    return _n(out) * depth, 0


def op_cost(op: str, ins: list, outs: list, options=None) -> dict:
    """``{"macs", "flops", "exact"}`` for one op; ``ins``/``outs`` are schema Tensors
    (None for omitted optional inputs)."""
    if not outs:
        return {"macs": 0, "flops": 0, "exact": True}
    if op in MATRIX_OPS:
        macs, bias = _matrix_macs(op, ins, outs, options)
        return {"macs": macs, "flops": 2 * macs + bias, "exact": True}
    out_n = sum(_n(t) for t in outs)
    if op in POOL_OPS:
        window = int(getattr(options, "filter_width", 1)) * int(
            getattr(options, "filter_height", 1)
        )
        return {"macs": 0, "flops": out_n * window, "exact": False}
    if op in REDUCE_OPS:
        return {"macs": 0, "flops": _n(ins[0]), "exact": False}
    return {"macs": 0, "flops": out_n * ELEMENT_FLOPS.get(op, 0), "exact": False}
