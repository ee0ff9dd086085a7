"""Constants and shape arithmetic (folded at import), Cast."""

from __future__ import annotations

import numpy as np
from onnx import helper

from edgelite.converter.importers.onnx.ops._common import require
from edgelite.converter.importers.onnx.registry import Unsupported, register
from edgelite.schemas.model import TENSOR_TYPES

_CONSTANT_ATTRS = {
    "value": None,
    "value_float": None,
    "value_floats": None,
    "value_int": None,
    "value_ints": None,
    "value_string": None,
    "value_strings": None,
    "sparse_value": None,
}


@register("Constant", inputs=(0, 0), attrs=_CONSTANT_ATTRS)
def constant(cx):
    given = {k: v for k, v in cx.attrs.items() if v is not None}
    require(len(given) == 1, "exactly one value attribute")
    ((kind, value),) = given.items()
    require(kind not in ("sparse_value", "value_string", "value_strings"), f"{kind} constants")
    dtype = np.float32 if kind.startswith("value_float") else np.int64
    cx.set_const(0, value if kind == "value" else np.asarray(value, dtype))


@register("Shape", attrs={"start": 0, "end": None})
def shape(cx):
    """Static at import (a dynamic batch counts as 1)."""
    x = cx.input(0)
    start, end = cx.attr("start"), cx.attr("end")
    cx.set_const(0, np.asarray(x.shape, np.int64)[start:end])


@register("Size")
def size(cx):
    cx.set_const(0, np.asarray(int(np.prod(cx.input(0).shape)), np.int64))


@register("ConstantOfShape", attrs={"value": None})
def constant_of_shape(cx):
    shape = cx.const_input(0, "shape")
    value = cx.attr("value")
    value = np.zeros(1, np.float32) if value is None else np.asarray(value)
    cx.set_const(0, np.full([int(d) for d in np.ravel(shape)], value.reshape(-1)[0], value.dtype))


@register("Range", inputs=(3, 3))
def range_(cx):
    start, limit, delta = (cx.const_input(i, n) for i, n in enumerate(("start", "limit", "delta")))
    cx.set_const(0, np.arange(start, limit, delta).astype(np.asarray(start).dtype))


def _cast(cx, dtype):
    x = cx.input(0)
    dtype = np.dtype(np.float32) if np.dtype(dtype) == np.float64 else np.dtype(dtype)
    if dtype == x.dtype:
        return cx.set_value(0, x)
    if dtype not in TENSOR_TYPES or x.dtype not in TENSOR_TYPES:
        raise Unsupported(f"cast from {x.dtype} to {dtype}")
    cx.emit_output(
        "CAST",
        [cx.t(x)],
        x.perm,
        dtype=dtype,
        in_data_type=TENSOR_TYPES[x.dtype],
        out_data_type=TENSOR_TYPES[dtype],
    )


@register("Cast", attrs={"to": None, "saturate": 1, "round_mode": "up"})
def cast(cx):
    _cast(cx, helper.tensor_dtype_to_np_dtype(int(cx.attr("to"))))


@register("CastLike", inputs=(2, 2), attrs={"saturate": 1, "round_mode": "up"})
def cast_like(cx):
    _cast(cx, cx.input(1).dtype)
