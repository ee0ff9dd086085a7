"""Operator versions: the least version an op's options need, and the runtime that reads it.

``RUNTIME`` lists, per op, the first TensorFlow Lite release that runs versions 1, 2, ... of it
(facts from TFLite's published op-version history); ops not listed are left out of the
``min_runtime_version`` computation, as TFLite's converter does for unknown pairs.
"""

from __future__ import annotations

RUNTIME = {
    "ABS": ("1.13.0", "2.4.0", "2.5.0", "2.6.0"),
    "ADD": ("1.5.0", "1.14.0", "2.4.0", "2.6.0"),
    "ADD_N": ("1.14.0",),
    "ARG_MAX": ("1.9.0", "1.14.0", "2.9.0"),
    "ARG_MIN": ("1.9.0", "1.14.0", "2.9.0"),
    "ASSIGN_VARIABLE": ("2.6.0",),
    "ATAN2": ("2.10.0",),
    "AVERAGE_POOL_2D": ("1.5.0", "1.14.0", "2.3.0"),
    "BATCH_MATMUL": ("2.3.0", "2.3.0", "2.4.0", "2.5.0"),
    "BATCH_TO_SPACE_ND": ("1.6.0", "1.14.0", "2.3.0"),
    "CALL_ONCE": ("2.5.0",),
    "CAST": ("1.5.0", "2.7.0", "2.8.0", "2.9.0"),
    "CEIL": ("1.14.0",),
    "CONCATENATION": ("1.5.0", "1.14.0", "2.3.0"),
    "CONV_2D": ("1.5.0", "1.14.0", "1.14.0", "2.3.0", "2.4.0", "2.9.0"),
    "COS": ("1.14.0",),
    "CUMSUM": ("2.4.0",),
    "DENSIFY": ("2.2.0",),
    "DEPTHWISE_CONV_2D": ("1.5.0", "1.12.0", "1.14.0", "2.2.0", "2.3.0", "2.3.0"),
    "DEPTH_TO_SPACE": ("2.1.0", "2.5.0"),
    "DEQUANTIZE": ("1.13.1", "1.14.0", "1.15.0", "2.2.0", "2.7.0"),
    "DIV": ("1.6.0", "2.3.0"),
    "ELU": ("1.14.0",),
    "EMBEDDING_LOOKUP": ("1.13.0", "1.14.0", "1.14.0"),
    "EQUAL": ("1.14.0", "1.14.0", "2.3.0"),
    "EXP": ("1.7.0",),
    "EXPAND_DIMS": ("1.10.0",),
    "FILL": ("1.13.0", "2.3.0", "2.5.0"),
    "FLOOR": ("1.9.0",),
    "FLOOR_DIV": ("1.14.0", "1.14.0"),
    "FLOOR_MOD": ("1.13.0",),
    "FULLY_CONNECTED": (
        "1.5.0",
        "1.10.0",
        "1.14.0",
        "1.14.0",
        "2.0.0",
        "2.1.0",
        "2.3.0",
        "2.3.0",
        "2.3.0",
    ),
    "GATHER": ("1.6.0", "1.14.0", "1.15.0", "2.4.0", "2.5.0"),
    "GATHER_ND": ("1.14.0", "2.3.0", "2.5.0"),
    "GELU": ("2.9.0", "2.9.0"),
    "GREATER": ("1.14.0", "1.14.0"),
    "GREATER_EQUAL": ("1.14.0", "1.14.0"),
    "HARD_SWISH": ("1.15.0",),
    "IF": ("1.15.0",),
    "L2_NORMALIZATION": ("1.5.0", "1.14.0"),
    "L2_POOL_2D": ("1.5.0",),
    "LEAKY_RELU": ("1.13.1", "2.3.0"),
    "LESS": ("1.14.0", "1.14.0"),
    "LESS_EQUAL": ("1.14.0", "1.14.0"),
    "LOG": ("1.14.0",),
    "LOGICAL_AND": ("1.11.0",),
    "LOGICAL_NOT": ("1.11.0",),
    "LOGICAL_OR": ("1.11.0",),
    "LOGISTIC": ("1.14.0", "1.14.0", "2.3.0"),
    "LOG_SOFTMAX": ("1.14.0", "1.14.0"),
    "MAXIMUM": ("1.14.0", "1.14.0", "2.3.0", "2.3.0"),
    "MAX_POOL_2D": ("1.5.0", "1.14.0", "2.3.0"),
    "MEAN": ("1.6.0", "1.14.0", "2.4.0"),
    "MINIMUM": ("1.14.0", "1.14.0", "2.3.0", "2.3.0"),
    "MIRROR_PAD": ("1.13.1", "2.3.0"),
    "MUL": ("1.5.0", "1.14.0", "1.15.0", "2.3.0", "2.6.0"),
    "NEG": ("1.9.0",),
    "NOT_EQUAL": ("1.14.0", "1.14.0", "2.3.0"),
    "PACK": ("1.11.0", "1.14.0", "2.3.0"),
    "PAD": ("1.5.0", "1.14.0", "2.4.0", "2.6.0"),
    "PADV2": ("1.9.0", "1.14.0", "2.4.0", "2.6.0"),
    "POW": ("1.10.0",),
    "PRELU": ("1.8.0",),
    "QUANTIZE": ("1.14.0", "1.15.0", "2.7.0"),
    "RANGE": ("1.13.0",),
    "READ_VARIABLE": ("2.6.0",),
    "REDUCE_ALL": ("2.6.0",),
    "REDUCE_ANY": ("1.11.0",),
    "REDUCE_MAX": ("1.11.0", "1.14.0", "2.5.0"),
    "REDUCE_MIN": ("1.11.0", "1.14.0", "2.5.0"),
    "REDUCE_PROD": ("1.11.0", "2.6.0"),
    "RELU": ("1.5.0", "2.1.0", "2.5.0"),
    "RELU6": ("1.5.0", "1.14.0", "2.5.0"),
    "RELU_0_TO_1": ("2.10.0",),
    "RELU_N1_TO_1": ("1.5.0",),
    "RESHAPE": ("1.5.0",),
    "RESIZE_BILINEAR": ("1.7.0", "1.14.0", "2.2.0", "2.5.0"),
    "RESIZE_NEAREST_NEIGHBOR": ("1.13.1", "1.14.0", "2.3.0", "2.4.0"),
    "REVERSE_V2": ("1.14.0", "2.2.0", "2.5.0"),
    "ROUND": ("1.14.0",),
    "RSQRT": ("1.10.0", "2.5.0"),
    "SCATTER_ND": ("2.1.0",),
    "SELECT": ("1.14.0", "1.14.0"),
    "SELECT_V2": ("2.2.0",),
    "SHAPE": ("1.10.0",),
    "SIN": ("1.9.0",),
    "SLICE": ("1.14.0", "1.14.0", "1.14.0", "2.4.0", "2.5.0"),
    "SOFTMAX": ("1.5.0", "1.14.0", "2.3.0"),
    "SPACE_TO_BATCH_ND": ("1.6.0", "1.14.0", "2.3.0"),
    "SPACE_TO_DEPTH": ("1.5.0", "1.14.0"),
    "SPLIT": ("1.5.0", "1.14.0", "1.14.0", "2.3.0"),
    "SPLIT_V": ("1.13.1", "2.3.0"),
    "SQRT": ("1.10.0",),
    "SQUARE": ("1.12.0",),
    "SQUARED_DIFFERENCE": ("1.13.1", "2.5.0"),
    "SQUEEZE": ("1.6.0", "2.5.0"),
    "STRIDED_SLICE": ("1.6.0", "1.14.0", "2.1.0", "2.2.0", "2.5.0", "2.6.0"),
    "SUB": ("1.6.0", "1.14.0", "2.3.0", "2.4.0", "2.4.0"),
    "SUM": ("1.10.0", "1.15.0"),
    "TANH": ("1.14.0", "1.14.0", "2.3.0"),
    "TILE": ("1.10.1", "2.2.0", "2.8.0"),
    "TRANSPOSE": ("1.6.0", "1.14.0", "1.15.0", "2.3.0", "2.4.0"),
    "TRANSPOSE_CONV": ("1.9.0", "2.2.0", "2.3.0"),
    "UNPACK": ("1.11.0", "1.14.0", "2.2.0", "2.3.0"),
    "VAR_HANDLE": ("2.6.0",),
    "WHERE": ("1.14.0", "2.8.0"),
    "WHILE": ("1.15.0",),
    "ZEROS_LIKE": ("1.12.0",),
}


def _key(version: str) -> tuple:
    return tuple(int(p) for p in version.split("."))


def min_runtime_version(opcodes) -> str:
    """The newest runtime any (op, version) pair in ``opcodes`` needs ("1.5.0" when none)."""
    best = "1.5.0"
    for name, version in opcodes:
        known = RUNTIME.get(name, ())
        if 1 <= version <= len(known) and _key(known[version - 1]) > _key(best):
            best = known[version - 1]
    return best


def required_version(op) -> int:
    """The least version TFLite assigns a float op for what its options/shapes use."""
    opts = op.options
    if op.type == "DEPTHWISE_CONV_2D":
        if opts.get("dilation_w_factor", 1) != 1 or opts.get("dilation_h_factor", 1) != 1:
            return 2
    if op.type == "CONV_2D" and len(op.inputs) > 1 and op.inputs[1] is not None:
        x, w = op.inputs[0], op.inputs[1]
        if len(x.shape) == 4 and len(w.shape) == 4 and x.shape[3] > 0 and x.shape[3] != w.shape[3]:
            return 6  # grouped convolution
    if op.type == "FULLY_CONNECTED" and opts.get("keep_num_dims"):
        return 5
    if op.type in ("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR") and opts.get("half_pixel_centers"):
        return 3
    if op.type == "BROADCAST_TO":
        return 2  # LiteRT registers BROADCAST_TO from version 2 only
    return 1
