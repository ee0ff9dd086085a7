"""scikit-learn's ai.onnx.ml ops (as skl2onnx exports them) on 2-D [samples, features] inputs.

Scaler -> SUB and MUL; LinearRegressor -> FULLY_CONNECTED; LinearClassifier -> FULLY_CONNECTED,
the score transform (SOFTMAX / LOGISTIC), ARG_MAX and a GATHER of the integer class labels;
Normalizer (L1 / L2) -> ABS or SQUARE, SUM, (SQRT,) DIV; ArrayFeatureExtractor -> GATHER along
the last axis. String class labels and ZipMap have no TFLite form.
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.importers.onnx.ops._common import FLOAT, require
from edgelite.converter.importers.onnx.registry import ML_DOMAIN, Unsupported, register

NONE = {"fused_activation_function": "NONE"}


def _features(cx):
    x = cx.input(0)
    require(x.rank == 2, f"the input must be 2-D [samples, features], got rank {x.rank}")
    return x, cx.t(x)


def _bind(cx, i: int, tensor) -> None:
    """Bind output ``i``; ONNX's shape inference knows no ai.onnx.ml output shape, so the
    batch dim's dynamism comes from the input (an exported classifier's batch is dynamic)."""
    shape, dtype, dyn = cx.out_info[i]
    if shape is None:
        dims = tuple(abs(d) for d in tensor.shape)
        batch = bool(cx.batch_dyn and dims and dims[0] == 1)
        cx.out_info[i] = (dims, dtype, (batch,) + (False,) * (len(dims) - 1))
    cx.set_output(i, tensor)


def _floats(cx, name: str, size: int) -> np.ndarray:
    """A per-feature attribute (one value broadcast, or one per feature) as float32."""
    v = np.asarray(cx.attr(name) if cx.attr(name) is not None else [0.0], FLOAT).reshape(-1)
    require(v.size in (1, size), f"{name} has {v.size} values for {size} features")
    return np.broadcast_to(v, (size,)).copy()


@register(f"{ML_DOMAIN}:Scaler", attrs={"offset": None, "scale": None})
def scaler(cx):
    """(x - offset) * scale, per feature."""
    x, t = _features(cx)
    n, f = x.shape
    offset = _floats(cx, "offset", f)
    scale = _floats(cx, "scale", f) if cx.attr("scale") is not None else np.ones(f, FLOAT)
    centred = cx.op("SUB", [t, cx.const(offset, "offset")], (n, f), **NONE)
    _bind(cx, 0, cx.op("MUL", [centred, cx.const(scale, "scale")], (n, f), **NONE))


def _linear(cx, rows: int):
    """x @ coefficients.T + intercepts as FULLY_CONNECTED: ((samples, rows) tensor)."""
    x, t = _features(cx)
    n, f = x.shape
    w = np.asarray(cx.attr("coefficients"), FLOAT).reshape(-1)
    require(w.size == rows * f, f"{w.size} coefficients for {rows} outputs x {f} features")
    b = np.asarray(cx.attr("intercepts") or [0.0] * rows, FLOAT).reshape(-1)
    require(b.size == rows, f"{b.size} intercepts for {rows} outputs")
    ins = [t, cx.const(w.reshape(rows, f), "coefficients"), cx.const(b, "intercepts")]
    return ins, (n, rows)


@register(
    f"{ML_DOMAIN}:LinearRegressor",
    attrs={"coefficients": None, "intercepts": None, "targets": 1, "post_transform": "NONE"},
)
def linear_regressor(cx):
    require(cx.attr("post_transform") == "NONE", "only post_transform NONE is converted")
    ins, shape = _linear(cx, int(cx.attr("targets")))
    _bind(cx, 0, cx.op("FULLY_CONNECTED", ins, shape, keep_num_dims=False, **NONE))


_TRANSFORMS = {"NONE": None, "SOFTMAX": "SOFTMAX", "LOGISTIC": "LOGISTIC"}


@register(
    f"{ML_DOMAIN}:LinearClassifier",
    outputs=(2, 2),
    attrs={
        "coefficients": None, "intercepts": None, "classlabels_ints": None,
        "classlabels_strings": None, "multi_class": 0, "post_transform": "NONE",
    },
)  # fmt: skip
def linear_classifier(cx):
    """Scores (one row of coefficients per class), then the label of the best score."""
    if cx.attr("classlabels_strings") is not None:
        raise Unsupported("string class labels have no TFLite type (use integer labels)")
    labels = np.asarray(cx.attr("classlabels_ints"), np.int64).reshape(-1)
    transform = cx.attr("post_transform")
    if transform not in _TRANSFORMS:
        raise Unsupported(f"post_transform {transform} is not converted")
    features = cx.input(0).shape[-1]
    if labels.size < 2 or np.asarray(cx.attr("coefficients")).size != labels.size * features:
        raise Unsupported("a binary classifier with one row of scores is not converted")
    ins, shape = _linear(cx, labels.size)
    scores = cx.op("FULLY_CONNECTED", ins, shape, suffix="scores", keep_num_dims=False, **NONE)
    if _TRANSFORMS[transform] == "SOFTMAX":
        scores = cx.op("SOFTMAX", [scores], shape, suffix="softmax", beta=1.0)
    elif _TRANSFORMS[transform] == "LOGISTIC":
        scores = cx.op("LOGISTIC", [scores], shape, suffix="logistic")
    _label(cx, scores, labels, shape[0])
    _bind(cx, 1, scores)


def _label(cx, scores, labels: np.ndarray, n: int) -> None:
    """Output 0: labels[argmax(scores)] (the index itself when the labels are 0..C-1)."""
    axis = cx.const(np.asarray([1], np.int32), "axis")
    idx = cx.op("ARG_MAX", [scores, axis], (n,), np.int64, suffix="argmax", output_type="INT64")
    if not np.array_equal(labels, np.arange(labels.size)):
        table = cx.const(labels, "labels")
        idx = cx.op("GATHER", [table, idx], (n,), np.int64, suffix="label", axis=0, batch_dims=0)
    _bind(cx, 0, idx)


@register(f"{ML_DOMAIN}:Normalizer", attrs={"norm": "MAX"})
def normalizer(cx):
    """Each row divided by its L1 or L2 norm."""
    norm = cx.attr("norm")
    if norm not in ("L1", "L2"):
        raise Unsupported(f"norm {norm} is not converted (L1 and L2 are)")
    x, t = _features(cx)
    n, f = x.shape
    parts = cx.op("ABS" if norm == "L1" else "SQUARE", [t], (n, f), suffix="parts")
    total = cx.op(
        "SUM", [parts, cx.const(np.asarray([1], np.int32), "axis")], (n, 1), keep_dims=True
    )
    if norm == "L2":
        total = cx.op("SQRT", [total], (n, 1), suffix="norm")
    _bind(cx, 0, cx.op("DIV", [t, total], (n, f), **NONE))


@register(f"{ML_DOMAIN}:ArrayFeatureExtractor", inputs=(2, 2))
def array_feature_extractor(cx):
    """X[..., indices]: a GATHER along the last axis (skl2onnx's class-label lookup)."""
    x, idx = cx.input(0), cx.input(1)
    gathered = tuple(x.shape[:-1]) + tuple(idx.shape)
    out = cx.op("GATHER", [cx.t(x), cx.t(idx)], gathered, x.dtype, axis=x.rank - 1, batch_dims=0)
    _bind(cx, 0, out)
