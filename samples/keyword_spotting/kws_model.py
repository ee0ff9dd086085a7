"""A streaming keyword-spotting demonstration model, built with edgelite's IR and writer.

This is a DEMONSTRATION model: it shows the mechanics of a stateful streaming .tflite model
(one feature frame in per invoke, a ring buffer of past frames kept in a resource variable),
not a usable keyword spotter. Its "audio features" are synthetic 10-band patterns (a band
rising over time = "up", falling = "down", a steady band = "unknown", low noise = "silence");
its convolution filters are seeded random and only its linear readout is trained, by ridge
regression in numpy.

The classifier sees a window of ``FRAMES`` frames: RESHAPE -> CONV_2D over time (kernel 3,
RELU) -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX. The streaming model wraps it:

    CALL_ONCE(init)            first invoke only: the window variable := zeros
    VAR_HANDLE "kws_window"    -> READ_VARIABLE -> STRIDED_SLICE (drop the oldest frame)
    frame -> RESHAPE           -> CONCATENATION (append the new frame) -> ASSIGN_VARIABLE
                               -> the classifier
"""

from __future__ import annotations

import numpy as np

from edgelite.converter.ir import Graph, Op, QuantParams, Tensor, constant
from edgelite.converter.writer import graph_to_model
from edgelite.schemas.model import TENSOR_TYPES, model_to_bytes, op_name, tfl

CLASSES = ("silence", "unknown", "up", "down")
FRAMES, BANDS, CHANNELS = 12, 10, 24  # window length, features per frame, conv filters
VARIABLE = "kws_window"


# --- synthetic data and training ------------------------------------------------------------


def clip(label: int, rng) -> np.ndarray:
    """One synthetic [FRAMES, BANDS] window of class ``label``."""
    x = rng.normal(0.0, 0.05, (FRAMES, BANDS))
    length = rng.integers(6, 9)
    start = rng.integers(0, FRAMES - length + 1)
    t = np.arange(length)
    if CLASSES[label] == "unknown":
        bands = np.full(length, rng.integers(0, BANDS))
    elif CLASSES[label] == "up":
        bands = np.round(np.linspace(0, BANDS - 1, length)).astype(int)
    elif CLASSES[label] == "down":
        bands = np.round(np.linspace(BANDS - 1, 0, length)).astype(int)
    else:
        return np.clip(x, 0, None).astype(np.float32)
    x[start + t, bands] += rng.uniform(0.7, 1.0)
    return np.clip(x, 0, None).astype(np.float32)


def dataset(n: int, seed: int, label: int = None) -> tuple:
    """``n`` windows [n, FRAMES, BANDS] and their labels (random classes unless ``label``)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASSES), n) if label is None else np.full(n, label)
    return np.stack([clip(int(y), rng) for y in labels]), labels


def conv_features(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """RELU(conv over time, VALID) for windows [N, FRAMES, BANDS]; w is [C, 3, 1, BANDS]."""
    taps = np.stack([x[:, k : FRAMES - 2 + k] for k in range(3)], axis=2)  # N, T-2, 3, BANDS
    return np.maximum(np.einsum("ntkf,ckf->ntc", taps, w[:, :, 0]) + b, 0.0)


def train(seed: int = 0) -> dict:
    """Seeded random conv filters; the readout fitted by ridge regression on synthetic clips."""
    rng = np.random.default_rng(seed)
    conv_w = rng.normal(0, 1 / np.sqrt(3 * BANDS), (CHANNELS, 3, 1, BANDS)).astype(np.float32)
    conv_b = rng.normal(0, 0.05, CHANNELS).astype(np.float32)
    x, y = dataset(2000, seed + 1)
    h = conv_features(x, conv_w, conv_b).reshape(len(x), -1)
    h1 = np.concatenate([h, np.ones((len(h), 1))], axis=1)
    targets = 6.0 * np.eye(len(CLASSES))[y] - 3.0  # logits: +3 for the class, -3 for the rest
    wb = np.linalg.solve(h1.T @ h1 + 1.0 * np.eye(h1.shape[1]), h1.T @ targets)
    return {
        "conv_w": conv_w,
        "conv_b": conv_b,
        "fc_w": np.ascontiguousarray(wb[:-1].T, np.float32),
        "fc_b": wb[-1].astype(np.float32),
    }


# --- graphs ---------------------------------------------------------------------------------


def classifier_graph(weights: dict) -> Graph:
    """The non-streaming float model: a whole [1, FRAMES, BANDS] window in, class scores out."""
    f32 = np.float32
    window = Tensor("window", (1, FRAMES, BANDS), f32)
    image = Tensor("window_image", (1, FRAMES, 1, BANDS), f32)
    conv = Tensor("conv", (1, FRAMES - 2, 1, CHANNELS), f32)
    flat = Tensor("flat", (1, (FRAMES - 2) * CHANNELS), f32)
    logits = Tensor("logits", (1, len(CLASSES)), f32)
    scores = Tensor("scores", (1, len(CLASSES)), f32)
    ops = [
        _reshape(window, image),
        Op(
            "CONV_2D",
            [image, constant("conv_w", weights["conv_w"]), constant("conv_b", weights["conv_b"])],
            [conv],
            {"padding": "VALID", "stride_w": 1, "stride_h": 1, "fused_activation_function": "RELU"},
        ),
        _reshape(conv, flat),
        Op(
            "FULLY_CONNECTED",
            [flat, constant("fc_w", weights["fc_w"]), constant("fc_b", weights["fc_b"])],
            [logits],
            {"fused_activation_function": "NONE"},
        ),
        Op("SOFTMAX", [logits], [scores], {"beta": 1.0}),
    ]
    return Graph(ops, [window], [scores], name="kws_window_classifier")


def _reshape(src: Tensor, dst: Tensor) -> Op:
    shape = constant(f"{dst.name}_shape", np.asarray(dst.shape, np.int32))
    return Op("RESHAPE", [src, shape], [dst], {"new_shape": list(dst.shape)})


def streaming_graph(classifier: Graph) -> Graph:
    """``classifier`` (float or int8) fed by a ring buffer: one [1, BANDS] frame per invoke.

    The buffer has the classifier input's dtype and quantization, so the int8 model shifts
    int8 values and never requantizes. The handle tensor is int32 here and becomes RESOURCE
    in ``streaming_model_bytes`` (the IR has no dtype for resources)."""
    window = classifier.inputs[0]
    dt, q = window.dtype, window.quant
    frame = Tensor("frame", (1, BANDS), dt, quant=q)
    handle = Tensor("window_handle", (), np.int32)
    old = Tensor("window_old", window.shape, dt, quant=q)
    tail = Tensor("window_tail", (1, FRAMES - 1, BANDS), dt, quant=q)
    frame3 = Tensor("frame_3d", (1, 1, BANDS), dt, quant=q)
    i32 = lambda name, v: constant(name, np.asarray(v, np.int32))  # noqa: E731
    ops = [
        Op("CALL_ONCE", [], [], {"init_subgraph_index": 1}),
        Op("VAR_HANDLE", [], [handle], {"container": "", "shared_name": VARIABLE}),
        Op("READ_VARIABLE", [handle], [old]),
        Op(
            "STRIDED_SLICE",
            [
                old,
                i32("tail_begin", [0, 1, 0]),
                i32("tail_end", list(window.shape)),
                i32("tail_strides", [1, 1, 1]),
            ],
            [tail],
            {},
        ),
        _reshape(frame, frame3),
        Op(
            "CONCATENATION",
            [tail, frame3],
            [window],
            {"axis": 1, "fused_activation_function": "NONE"},
        ),
        Op("ASSIGN_VARIABLE", [handle, window], []),
        *classifier.ops,
    ]
    return Graph(ops, [frame], list(classifier.outputs), name="kws_streaming")


def streaming_model_bytes(stream: Graph) -> bytes:
    """Write ``stream`` and add its CALL_ONCE init subgraph (VAR_HANDLE + ASSIGN_VARIABLE of a
    zero window: the quantized zero, i.e. the zero point, for int8)."""
    T = tfl()
    model = graph_to_model(stream)
    main = model.subgraphs[0]
    for t in main.tensors:
        if t.name == "window_handle":
            t.type = "RESOURCE"
    window = next(t for t in stream.ops if t.type == "ASSIGN_VARIABLE").inputs[1]
    zero = 0 if window.quant is None else int(window.quant.zero_point[0])
    zeros = np.full(window.shape, zero, window.dtype)
    model.buffers.append(T["Buffer"](data=np.frombuffer(zeros.tobytes(), np.uint8)))
    q = None
    if window.quant is not None:
        q = T["QuantizationParameters"](
            scale=np.asarray(window.quant.scale, np.float32),
            zero_point=np.asarray(window.quant.zero_point, np.int64),
        )
    codes = {op_name(c): i for i, c in enumerate(model.operator_codes)}
    init = T["SubGraph"](
        tensors=[
            T["Tensor"](shape=np.zeros(0, np.int32), type="RESOURCE", buffer=0, name="handle"),
            T["Tensor"](
                shape=np.asarray(window.shape, np.int32),
                type=TENSOR_TYPES[window.dtype],
                buffer=len(model.buffers) - 1,
                name="zeros",
                quantization=q,
            ),
        ],
        inputs=np.zeros(0, np.int32),
        outputs=np.zeros(0, np.int32),
        operators=[
            T["Operator"](
                opcode_index=codes["VAR_HANDLE"],
                inputs=np.zeros(0, np.int32),
                outputs=np.asarray([0], np.int32),
                builtin_options=T["VarHandleOptions"](container="", shared_name=VARIABLE),
            ),
            T["Operator"](
                opcode_index=codes["ASSIGN_VARIABLE"],
                inputs=np.asarray([0, 1], np.int32),
                outputs=np.zeros(0, np.int32),
            ),
        ],
        name="kws_init",
    )
    model.subgraphs = [main, init]
    return model_to_bytes(model)


def quant_of(t: Tensor):
    """(scale, zero_point) of an int8 IR tensor, as the interpreter reports it."""
    q: QuantParams = t.quant
    return float(q.scale[0]), int(q.zero_point[0])
