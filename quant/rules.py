"""What each op family needs to run quantized: one rule per family, not one per op.

A ``Rule`` says which inputs are activations, which constant input is a weight (and its channel
axis) and which is a bias, how other float constants are quantized, and how the output's params
are chosen: ``"own"`` (its calibrated range), ``"tie"`` (the same params as its data input,
as TFLite's kernels for data movement require) or fixed params (SOFTMAX, LOGISTIC, ...).
``VERSIONS`` holds the op versions TensorFlow's converter writes for int8 / int16 activations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Rule:
    family: str
    acts: tuple = (0,)  # inputs that are activations (None: every non-constant float input)
    weight: Optional[tuple] = None  # (input index, channel axis)
    bias: Optional[int] = None  # input index of the bias (scale = s_in * s_w)
    output: object = "own"  # "own" | "tie" | {"int8": (scale, zp), "int16": (scale, zp)}
    consts: str = "asymmetric"  # how other float constants are quantized
    dtypes: tuple = ("int8", "int16")  # activation types TFLite has kernels for
    extra: dict = field(default_factory=dict)


def _weighted(w: int, axis: int, b: int, acts=(0,)) -> Rule:
    return Rule("weighted", acts=acts, weight=(w, axis), bias=b)


# -- families ------------------------------------------------------------------------------------
WEIGHTED = {
    "CONV_2D": _weighted(1, 0, 2),
    "DEPTHWISE_CONV_2D": _weighted(1, 3, 2),
    "FULLY_CONNECTED": _weighted(1, 0, 2),
    "TRANSPOSE_CONV": _weighted(1, 0, 3, acts=(2,)),
}

_BINARY = ("ADD", "SUB", "MUL", "SQUARED_DIFFERENCE", "BATCH_MATMUL", "DIV")
_BINARY_INT8_ONLY = ("SQUARED_DIFFERENCE", "DIV")
ELEMENTWISE = {
    op: Rule(
        "elementwise", acts=None, dtypes=("int8",) if op in _BINARY_INT8_ONLY else ("int8", "int16")
    )
    for op in _BINARY
}

# Data movement: the output keeps the data input's params (TFLite requires it for int8).
_SHARED = {
    "RESHAPE": 0,
    "TRANSPOSE": 0,
    "SQUEEZE": 0,
    "EXPAND_DIMS": 0,
    "MAX_POOL_2D": 0,
    "AVERAGE_POOL_2D": 0,
    "PAD": 0,
    "PADV2": 0,
    "MIRROR_PAD": 0,
    "SLICE": 0,
    "STRIDED_SLICE": 0,
    "GATHER": 0,
    "GATHER_ND": 0,
    "TILE": 0,
    "RESIZE_BILINEAR": 0,
    "RESIZE_NEAREST_NEIGHBOR": 0,
    "SPACE_TO_BATCH_ND": 0,
    "BATCH_TO_SPACE_ND": 0,
    "SPACE_TO_DEPTH": 0,
    "DEPTH_TO_SPACE": 0,
    "SPLIT": 1,
    "SPLIT_V": 0,
    "UNPACK": 0,
    "BROADCAST_TO": 0,
    "REVERSE_V2": 0,
    "REDUCE_MAX": 0,
    "REDUCE_MIN": 0,
}
PASS_THROUGH = {
    op: Rule("pass-through", acts=(i,), output="tie", consts="tied") for op, i in _SHARED.items()
}
# All inputs and the output share one set of params.
PASS_THROUGH.update(
    {
        op: Rule("pass-through", acts=None, output="tie", consts="tied")
        for op in ("CONCATENATION", "PACK", "MAXIMUM", "MINIMUM")
    }
)

_Q16 = 1.0 / 32768.0
FIXED = {
    "SOFTMAX": Rule("fixed", output={"int8": (1 / 256, -128), "int16": (_Q16, 0)}),
    "LOGISTIC": Rule("fixed", output={"int8": (1 / 256, -128), "int16": (_Q16, 0)}),
    "TANH": Rule("fixed", output={"int8": (1 / 128, 0), "int16": (_Q16, 0)}),
    "LOG_SOFTMAX": Rule("fixed", output={"int8": (16 / 256, 127)}, dtypes=("int8",)),
    "L2_NORMALIZATION": Rule("fixed", output={"int8": (1 / 128, 0)}, dtypes=("int8",)),
}

# Unary ops with their own output range. (NEG and ELU have int8 kernels in TFLite's tables, but
# LiteRT 2.3's reference resolver crashes on them, and TF's converter keeps NEG float too.)
_OWN = {
    "MEAN": ("int8", "int16"),
    "SUM": ("int8", "int16"),
    "GELU": ("int8", "int16"),
    "RELU": ("int8", "int16"),
    "RELU6": ("int8", "int16"),
    "HARD_SWISH": ("int8",),
    "LEAKY_RELU": ("int8", "int16"),
    "RELU_0_TO_1": ("int8",),
    "EXP": ("int8",),
    "RSQRT": ("int8",),
    "ABS": ("int8", "int16"),
}
UNARY = {op: Rule("unary", dtypes=d) for op, d in _OWN.items()}
UNARY["PRELU"] = Rule("unary", consts="symmetric", dtypes=("int8",))

# Read any dtype; their outputs are not float (shape arithmetic).
ANY_DTYPE = {"SHAPE": Rule("any-dtype", acts=(0,), output=None)}

RULES = {**WEIGHTED, **ELEMENTWISE, **PASS_THROUGH, **FIXED, **UNARY, **ANY_DTYPE}

# -- versions TensorFlow's converter writes (seen in its int8 / int16x8 files) -------------------
_INT8_VERSIONS = {
    "ADD": 2,
    "SUB": 2,
    "MUL": 2,
    "DIV": 2,
    "SQUARED_DIFFERENCE": 2,
    "BATCH_MATMUL": 2,
    "CONV_2D": 3,
    "DEPTHWISE_CONV_2D": 3,
    "FULLY_CONNECTED": 4,
    "TRANSPOSE_CONV": 2,
    "CONCATENATION": 2,
    "PACK": 2,
    "UNPACK": 2,
    "MAXIMUM": 2,
    "MINIMUM": 2,
    "TRANSPOSE": 2,
    "MAX_POOL_2D": 2,
    "AVERAGE_POOL_2D": 2,
    "PAD": 2,
    "PADV2": 2,
    "MIRROR_PAD": 2,
    "SLICE": 2,
    "STRIDED_SLICE": 2,
    "GATHER": 2,
    "GATHER_ND": 2,
    "TILE": 2,  # TF writes 3, which LiteRT 2.3 cannot load; version 2 runs int8 the same
    "RESIZE_BILINEAR": 2,
    "RESIZE_NEAREST_NEIGHBOR": 2,
    "SPACE_TO_BATCH_ND": 2,
    "BATCH_TO_SPACE_ND": 2,
    "SPACE_TO_DEPTH": 2,
    "DEPTH_TO_SPACE": 2,
    "SPLIT": 2,
    "SPLIT_V": 2,
    "REDUCE_MAX": 2,
    "REDUCE_MIN": 2,
    "REVERSE_V2": 2,
    "SOFTMAX": 2,
    "LOGISTIC": 2,
    "TANH": 2,
    "LOG_SOFTMAX": 2,
    "MEAN": 2,
    "SUM": 2,
    "GELU": 2,
    "RELU": 2,
    "RELU6": 2,
    "RELU_0_TO_1": 1,
    "EXP": 2,
    "RSQRT": 2,
    "ABS": 2,
    "L2_NORMALIZATION": 2,
    "DEQUANTIZE": 2,
    "QUANTIZE": 1,
}
_INT16_VERSIONS = {**_INT8_VERSIONS, "TRANSPOSE_CONV": 3, "TILE": 2}

# Hybrid (dynamic-range) ops: int8 weights, float activations.
HYBRID = {
    "CONV_2D": (1, 0, 5),
    "DEPTHWISE_CONV_2D": (1, 3, 6),
    "FULLY_CONNECTED": (1, 0, 12),
    "BATCH_MATMUL": (1, None, 4),  # per-tensor: the hybrid kernel reads one weight scale
}


def rule_for(op_type: str) -> Optional[Rule]:
    return RULES.get(op_type)


def supports(op_type: str, dtype: str) -> bool:
    rule = RULES.get(op_type)
    return rule is not None and dtype in rule.dtypes


def version_for(op, dtype: str) -> int:
    """The version of ``op`` quantized with ``dtype`` activations."""
    table = _INT16_VERSIONS if dtype == "int16" else _INT8_VERSIONS
    version = table.get(op.type, op.version)
    if op.type == "FULLY_CONNECTED" and op.options.get("keep_num_dims"):
        version = 5
    if op.type.startswith("RESIZE_") and op.options.get("half_pixel_centers"):
        version = max(version, 3)
    return max(version, op.version)


def fixed_params(rule: Rule, dtype: str) -> Optional[tuple]:
    return rule.output.get(dtype) if isinstance(rule.output, dict) else None
