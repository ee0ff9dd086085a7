"""scikit-learn's ai.onnx.ml ops (as skl2onnx exports its pipelines) against onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from onnx_harness import check, make_model, op_types

from edgelite.converter.importers.onnx import import_onnx
from edgelite.errors import UnsupportedOpError

F32 = np.float32
ML = "ai.onnx.ml"


def ml_model(nodes, inputs, outputs, inits=None):
    m = make_model(nodes, inputs, outputs, inits)
    m.opset_import.append(helper.make_opsetid(ML, 3))
    return m


def ml(op, ins, outs, **attrs):
    return helper.make_node(op, ins, outs, domain=ML, name=outs[0], **attrs)


def features(rows=4, cols=6, seed=0):
    return np.random.default_rng(seed).uniform(-3, 8, (rows, cols)).astype(F32)


@pytest.mark.parametrize("transform", ["NONE", "SOFTMAX", "LOGISTIC"])
@pytest.mark.parametrize("labels", [[0, 1, 2], [3, 7, 11]])
def test_scaled_linear_classifier(transform, labels):
    """Scaler -> LinearClassifier: labels (through the class table when they are not
    0..C-1) and scores, with the score transform."""
    rng = np.random.default_rng(1)
    nodes = [
        ml("Scaler", ["x"], ["s"], offset=rng.uniform(0, 2, 6).tolist(),
           scale=rng.uniform(0.5, 2, 6).tolist()),
        ml("LinearClassifier", ["s"], ["label", "scores"],
           coefficients=rng.standard_normal(18).tolist(), intercepts=[0.1, -0.2, 0.3],
           classlabels_ints=labels, post_transform=transform),
    ]  # fmt: skip
    m = ml_model(nodes, {"x": ((4, 6), F32)}, {"label": (None, np.int64), "scores": (None, F32)})
    g = check(m, {"x": features()}, tol=1e-5)
    assert ("GATHER" in op_types(g)) == (labels != [0, 1, 2])


def test_linear_regressor_and_normalizers():
    rng = np.random.default_rng(2)
    nodes = [
        ml("LinearRegressor", ["x"], ["y"], coefficients=rng.standard_normal(12).tolist(),
           intercepts=[0.5, -1.0], targets=2),
        ml("Normalizer", ["x"], ["l1"], norm="L1"),
        ml("Normalizer", ["x"], ["l2"], norm="L2"),
    ]  # fmt: skip
    outs = {"y": (None, F32), "l1": (None, F32), "l2": (None, F32)}
    check(ml_model(nodes, {"x": ((4, 6), F32)}, outs), {"x": features(seed=3)}, tol=1e-5)


def test_label_lookup_with_array_feature_extractor():
    """skl2onnx's MLP classifier: ArgMax (standard) then ArrayFeatureExtractor on classes."""
    n = helper.make_node
    nodes = [
        n("ArgMax", ["x"], ["idx"], axis=1, keepdims=1),
        ml("ArrayFeatureExtractor", ["classes", "idx"], ["picked"]),
        n("Reshape", ["picked", "flat"], ["label"]),
    ]
    inits = {"classes": np.array([5, 6, 9, 2, 4, 1], np.int64), "flat": np.array([-1], np.int64)}
    m = ml_model(nodes, {"x": ((4, 6), F32)}, {"label": (None, np.int64)}, inits)
    check(m, {"x": features(seed=4)})


def test_batch_stays_dynamic_through_ml_ops():
    """Exporters leave the batch dynamic; ML outputs have no inferred shape, so the
    builders carry the input's dynamic batch on (resizable to any batch)."""
    rng = np.random.default_rng(5)
    nodes = [
        ml("Scaler", ["x"], ["s"], offset=[1.0], scale=[0.5]),
        ml("LinearRegressor", ["s"], ["y"], coefficients=rng.standard_normal(6).tolist()),
    ]
    m = ml_model(nodes, {"x": ((None, 6), F32)}, {"y": (None, F32)})
    g = import_onnx(m)
    assert g.inputs[0].shape == (-1, 6) and g.outputs[0].shape == (-1, 1)


def test_zipmap_and_string_labels_are_reported():
    nodes = [
        ml("LinearClassifier", ["x"], ["label", "scores"], coefficients=[0.0] * 12,
           intercepts=[0.0, 0.0], classlabels_strings=["a", "b"]),
        ml("ZipMap", ["scores"], ["probs"], classlabels_int64s=[0, 1]),
    ]  # fmt: skip
    m = ml_model(nodes, {"x": ((4, 6), F32)}, {"label": (None, np.int64), "probs": (None, F32)})
    with pytest.raises(UnsupportedOpError) as err:
        import_onnx(m)
    assert "string class labels" in str(err.value) and "zipmap" in str(err.value)


def test_binary_classifier_with_one_score_row_is_reported():
    nodes = [ml("LinearClassifier", ["x"], ["label", "scores"], coefficients=[0.5] * 6,
                intercepts=[0.0], classlabels_ints=[0, 1])]  # fmt: skip
    m = ml_model(nodes, {"x": ((4, 6), F32)}, {"label": (None, np.int64), "scores": (None, F32)})
    with pytest.raises(UnsupportedOpError, match="binary classifier with one row"):
        import_onnx(m)
