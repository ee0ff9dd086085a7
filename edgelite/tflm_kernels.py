"""What each TensorFlow Lite Micro kernel allocates in the arena while it prepares.

Sizes are for the 64-bit host build the ``tflite-micro`` Python package ships (the one
``edgelite.tflm.measure_arena`` runs), learned from the kernels' op-data structs and their
``Init``/``Prepare`` functions. On a 32-bit microcontroller pointers are 4 bytes, so the real
numbers there are a little smaller: the estimate errs on the safe side.

``persistent(op, ...)`` lists the byte counts of a kernel's ``AllocatePersistentBuffer`` calls
(each rounded to 16 bytes in the arena's tail); ``scratch(op, ...)`` lists its
``RequestScratchBufferInArena`` sizes (planned with the activations in the head);
``BUILTIN_DATA`` is the parsed options struct each op keeps in the tail.
"""

from __future__ import annotations

import numpy as np

# sizeof the op-data struct a kernel's Init allocates (0: the kernel keeps none)
OP_DATA = {
    "ADD": 60, "SUB": 52, "MUL": 36, "SQUARED_DIFFERENCE": 112,
    "CONV_2D": 80, "DEPTHWISE_CONV_2D": 80, "TRANSPOSE_CONV": 88, "FULLY_CONNECTED": 72,
    "BATCH_MATMUL": 32, "SOFTMAX": 80, "LOG_SOFTMAX": 80,
    "QUANTIZE": 32, "DEQUANTIZE": 32,
    "MEAN": 44, "SUM": 44, "REDUCE_MAX": 44, "REDUCE_MIN": 44,
    "AVERAGE_POOL_2D": 32, "MAX_POOL_2D": 32, "L2_POOL_2D": 32,
    "LOGISTIC": 16, "TANH": 16, "HARD_SWISH": 20, "LEAKY_RELU": 24, "PRELU": 28,
    "RELU": 24, "RELU6": 24, "ELU": 8,
    "STRIDED_SLICE": 84, "CONCATENATION": 80, "PAD": 64, "PADV2": 64, "MIRROR_PAD": 16,
    "SPACE_TO_BATCH_ND": 4, "RSQRT": 28, "ABS": 28,
    "MAXIMUM": 0, "MINIMUM": 0, "GREATER": 0, "LESS": 0, "EQUAL": 0, "NOT_EQUAL": 0,
    "RESIZE_NEAREST_NEIGHBOR": 0, "RESIZE_BILINEAR": 0, "DIV": 40, "EXP": 0, "LOG": 0,
    "VAR_HANDLE": 4, "CALL_ONCE": 8, "WHILE": 8, "IF": 8, "ASSIGN_VARIABLE": 4,
}  # fmt: skip

# sizeof the builtin options struct parsed from the flatbuffer (kept for the model's life)
BUILTIN_DATA = {
    "CONV_2D": 28, "DEPTHWISE_CONV_2D": 28, "TRANSPOSE_CONV": 24, "FULLY_CONNECTED": 16,
    "ADD": 8, "SUB": 8, "MUL": 4, "DIV": 4, "SOFTMAX": 4, "CONCATENATION": 8,
    "AVERAGE_POOL_2D": 40, "MAX_POOL_2D": 40, "L2_POOL_2D": 40, "RESHAPE": 36,
    "STRIDED_SLICE": 24, "PACK": 8, "UNPACK": 8, "SPLIT": 4, "SPLIT_V": 4, "MEAN": 1, "SUM": 1,
    "REDUCE_MAX": 1, "REDUCE_MIN": 1, "LEAKY_RELU": 4, "SHAPE": 4, "BATCH_MATMUL": 12,
    "GATHER": 8, "RESIZE_BILINEAR": 4, "RESIZE_NEAREST_NEIGHBOR": 4, "SQUEEZE": 36,
    "DEPTH_TO_SPACE": 4, "SPACE_TO_DEPTH": 4, "CAST": 0, "ARG_MAX": 4, "ARG_MIN": 4,
    "VAR_HANDLE": 16, "CALL_ONCE": 4, "WHILE": 8, "IF": 8,
}  # fmt: skip

_PER_CHANNEL_DIM = {"CONV_2D": 0, "TRANSPOSE_CONV": 0, "DEPTHWISE_CONV_2D": 3}
_INT_ARRAY_HEADER = 4  # TfLiteIntArray: int size, then the ints
_EVAL_TENSOR = 24  # sizeof(TfLiteEvalTensor) on a 64-bit host
_BMM_QUANT = 28  # QuantizationOpDataBatchMatmul: seven int32
_BMM_EXTRA = 20  # one more small allocation seen per int8 BATCH_MATMUL


def _elements(t) -> int:
    return int(np.prod(t.shape)) if t.shape is not None and len(t.shape) else 1


def persistent(op: str, ins: list, outs: list, options) -> list:
    """Byte counts a kernel requests from the persistent (tail) allocator."""
    sizes = [OP_DATA[op]] if OP_DATA.get(op) else []
    if op in _PER_CHANNEL_DIM and len(ins) > 1 and ins[1] is not None:
        channels = int(ins[1].shape[_PER_CHANNEL_DIM[op]])
        sizes += [4 * channels, 4 * channels]  # per-channel multipliers and shifts
    elif op == "FULLY_CONNECTED" and len(ins) > 1 and ins[1] is not None:
        q = ins[1].quantization
        if q is not None and q.scale is not None and len(q.scale) > 1:
            sizes += [4 * len(q.scale)] * 2
    elif op == "BATCH_MATMUL":
        if ins[0].type in ("INT8", "INT16"):
            sizes += [_BMM_QUANT, _BMM_EXTRA]
        adj_x = bool(getattr(options, "adj_x", False))
        adj_y = bool(getattr(options, "adj_y", False))
        for t, transposed in ((ins[0], adj_x), (ins[1], not adj_y)):
            if transposed:  # a transposed copy of the operand lives in the tail
                rank = len(t.shape) if t.shape is not None else 0
                sizes += [_EVAL_TENSOR, _INT_ARRAY_HEADER + 4 * rank, _bytes(t)]
    elif op in ("SOFTMAX", "LOG_SOFTMAX") and ins[0].type == "INT16":
        sizes += [2 * 513, 2 * 513]  # exp and 1/(1+x) lookup tables
    return sizes


def scratch(op: str, ins: list, outs: list) -> list:
    """Byte counts a kernel asks to have planned in the head next to the activations."""
    if op == "TRANSPOSE_CONV" and ins[2].type in ("INT8", "INT16"):
        width = 4 if ins[2].type == "INT8" else 8
        return [_elements(outs[0]) * width]
    if op in ("MEAN", "SUM"):
        rank = len(ins[0].shape) if ins[0].shape is not None else 0
        axes = _elements(ins[1])
        acc = [_elements(outs[0]) * 4] if ins[0].type in ("INT8", "INT16") else []
        return acc + [4 * rank, 4 * axes]
    if op in ("REDUCE_MAX", "REDUCE_MIN"):
        rank = len(ins[0].shape) if ins[0].shape is not None else 0
        return [4 * rank, 4 * _elements(ins[1])]
    if op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED") and ins[1].type == "INT4":
        return [_elements(ins[1])]  # unpacked int4 weights
    return []


TYPE_BYTES = {
    "FLOAT32": 4, "FLOAT16": 2, "FLOAT64": 8, "INT32": 4, "UINT32": 4, "INT64": 8, "UINT64": 8,
    "INT16": 2, "UINT16": 2, "INT8": 1, "UINT8": 1, "BOOL": 1, "INT4": 1, "COMPLEX64": 8,
    "RESOURCE": 0, "STRING": 0, "VARIANT": 0,
}  # fmt: skip


def _bytes(t) -> int:
    return _elements(t) * TYPE_BYTES.get(t.type, 1)
