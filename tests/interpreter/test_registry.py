"""The kernel registry: the ops the interpreter claims have the kernels they claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgelite.interpreter.kernels import KERNELS, lookup, supported_ops
from edgelite.interpreter.kernels.registry import FAMILIES
from edgelite.schemas.fbs import load_schema

# The float32 op set the interpreter promises (README / docs/STATUS.md).
FLOAT_OPS = """
ADD SUB MUL DIV SQUARED_DIFFERENCE RSQRT SQRT EXP LOG POW ABS NEG MAXIMUM MINIMUM CONV_2D
DEPTHWISE_CONV_2D TRANSPOSE_CONV FULLY_CONNECTED BATCH_MATMUL AVERAGE_POOL_2D MAX_POOL_2D MEAN
SUM REDUCE_MAX RESHAPE SQUEEZE EXPAND_DIMS TRANSPOSE CONCATENATION PACK UNPACK SPLIT SPLIT_V
SLICE STRIDED_SLICE GATHER PAD PADV2 MIRROR_PAD TILE RESIZE_BILINEAR RESIZE_NEAREST_NEIGHBOR
DEPTH_TO_SPACE SPACE_TO_DEPTH SOFTMAX LOG_SOFTMAX LOGISTIC TANH RELU RELU6 RELU_N1_TO_1
LEAKY_RELU PRELU ELU HARD_SWISH GELU CAST SHAPE FILL ARG_MAX ARG_MIN SELECT_V2 EQUAL NOT_EQUAL
LESS LESS_EQUAL GREATER GREATER_EQUAL DEQUANTIZE DENSIFY CALL_ONCE VAR_HANDLE READ_VARIABLE
ASSIGN_VARIABLE SPACE_TO_BATCH_ND BATCH_TO_SPACE_ND WHILE IF
""".split()


# Ops dispatched by a first input that is not the float data (FILL's dims, SELECT_V2's condition)
DISPATCH = {"FILL": "int32", "SELECT_V2": "bool"}


@pytest.mark.parametrize("op", FLOAT_OPS)
def test_float_op_has_a_kernel(op):
    fam = DISPATCH.get(op, "float")
    assert lookup(op, fam) is not None, f"{op} has no {fam} (or type-generic) kernel"


def test_registry_uses_real_op_names_and_families():
    names = set(load_schema().enums["BuiltinOperator"].values)
    for (op, fam), spec in KERNELS.items():
        assert op in names, f"{op} is not a TFLite BuiltinOperator"
        assert fam in FAMILIES
        assert callable(spec.prepare)


def test_supported_ops_doc_is_current():
    from edgelite.opstable import ops_markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "SUPPORTED_OPS.md"
    assert doc.is_file() and doc.read_text(encoding="utf-8") == ops_markdown(), (
        "docs/SUPPORTED_OPS.md is stale: run python -m edgelite.opstable --write"
    )
    assert len(supported_ops()) >= len(FLOAT_OPS)
