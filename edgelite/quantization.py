"""``edgelite.quantize()``: post-training quantization of an .onnx / .tflite model or an IR Graph.

Modes: ``int8`` (full integer, TFLite's int8 spec), ``int16x8`` (int16 activations, int8
weights), ``dynamic`` (int8 weights, float activations: hybrid kernels) and ``float16``
(float16 weights with DEQUANTIZE ops). The integer modes calibrate: the float model is written
with our writer and run in our interpreter over the calibration samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from edgelite.converter.ir import Graph, Tensor, fresh_name
from edgelite.errors import QuantizationError

MODES = ("int8", "int16x8", "dynamic", "float16")
_CORRECTED = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")


@dataclass
class QuantizationResult:
    model: bytes = field(repr=False)
    mode: str
    plan: dict  # the plan's summary: op counts by action, ops kept float and why, I/O types
    float_size: int
    size: int
    ranges: dict = field(default_factory=dict, repr=False)  # calibrated tensor ranges
    graph: Graph = field(default=None, repr=False)  # the quantized IR
    float_graph: Graph = field(default=None, repr=False)  # the float IR it came from
    path: str = None

    @property
    def ratio(self) -> float:
        return self.size / self.float_size if self.float_size else float("nan")

    def save(self, path, overwrite: bool = False) -> str:
        from edgelite.schemas.model import write_atomic

        p = Path(path)
        if p.exists() and not overwrite:
            raise QuantizationError(f"{p}: exists (pass overwrite=True / --force)")
        write_atomic(p, self.model)
        self.path = str(p)
        return self.path

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "float_size": self.float_size,
            "size": self.size,
            "ratio": round(self.ratio, 4),
            "path": self.path,
            **self.plan,
        }


def load_graph(model, input_shapes: dict = None) -> Graph:
    """An IR Graph from a Graph, .tflite/.onnx bytes or a path (``input_shapes`` fixes an ONNX
    model's dynamic input dims: ``{"x": [1, 3, 224, 224]}``)."""
    if isinstance(model, Graph):
        return model
    from edgelite.converter.importers.tflite import import_tflite

    if isinstance(model, (bytes, bytearray)):
        if bytes(model[4:8]) == b"TFL3":
            return import_tflite(bytes(model))
        return _import_onnx(bytes(model), input_shapes)
    path = Path(model)
    if not path.exists():
        raise QuantizationError(f"{path}: no such model file")
    if path.suffix.lower() == ".onnx":
        return _import_onnx(str(path), input_shapes)
    return import_tflite(str(path))


def _import_onnx(source, input_shapes=None):
    from edgelite.converter.importers.onnx.importer import import_onnx

    return import_onnx(source, input_shapes=input_shapes)


def unique_names(graph: Graph) -> Graph:
    """A copy whose tensors all have distinct, non-empty names (calibration keys on names)."""
    g = graph.copy()
    seen, new = set(), {}
    for i, t in enumerate(g.tensors()):
        name = fresh_name(t.name or f"tensor_{i}", seen)
        if name != t.name:
            new[id(t)] = Tensor(name, t.shape, t.dtype, t.data, t.quant, t.is_variable)
    if new:
        swap = lambda ts: [new.get(id(t), t) if t is not None else None for t in ts]  # noqa: E731
        for op in g.ops:
            op.inputs, op.outputs = swap(op.inputs), swap(op.outputs)
        g.inputs, g.outputs = swap(g.inputs), swap(g.outputs)
    return g


def quantize(
    model,
    calibration=None,
    mode: str = "int8",
    per_channel: bool = True,
    input_type: str = None,
    output_type: str = None,
    calibration_method: str = "minmax",
    exclude=(),
    output=None,
    *,
    min_weight_elements: int = 1024,
    input_shapes: dict = None,
    bias_correction: bool = True,
    limit: int = None,
    progress=None,
    overwrite: bool = False,
) -> QuantizationResult:
    """Quantize ``model``; ``calibration`` (.npz/.npy/image folder/arrays/iterable) is required
    for ``int8`` and ``int16x8``. I/O types default to int8 for int8, float32 otherwise.

    ``exclude``: op names, output tensor names or regexes of ops to keep float.
    ``progress(done, total)`` is called during calibration. ``output`` saves the file
    (atomically; an existing file only with ``overwrite``).
    ``min_weight_elements``: dynamic mode leaves smaller weights float (as TensorFlow does).
    ``input_shapes``: sizes of an ONNX model's dynamic input dims.
    ``bias_correction``: fold the mean output shift that rounding the weights causes (measured
    on the calibration samples) into CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED biases.
    """
    from edgelite.converter.writer import graph_to_bytes
    from edgelite.quant import plan as qplan
    from edgelite.quant.apply import apply
    from edgelite.quant.calibrate import calibrate, channel_means

    if mode not in MODES:
        raise QuantizationError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    if mode in ("int8", "int16x8") and calibration is None:
        raise QuantizationError(
            f"mode {mode!r} needs calibration data: pass calibration= (a .npz keyed by input "
            "name, a .npy, a folder of images, or an iterable of input arrays), or use "
            "mode='dynamic' / 'float16', which need none"
        )
    if isinstance(exclude, str):
        exclude = [exclude]
    graph = unique_names(load_graph(model, input_shapes))
    float_bytes = graph_to_bytes(graph)
    ranges = {}
    if mode in ("int8", "int16x8"):
        samples = _samples(float_bytes, calibration, limit)
        levels = 65535 if mode == "int16x8" else 255
        ranges = calibrate(float_bytes, samples, calibration_method, progress, levels)
        means = None
        if bias_correction:
            weighted = {op.inputs[0].name for op in graph.ops if op.type in _CORRECTED}
            means = channel_means(float_bytes, samples, weighted)
        plan = qplan.plan_integer(
            graph,
            ranges,
            mode,
            per_channel=per_channel,
            input_type=input_type,
            output_type=output_type,
            exclude=exclude,
            means=means,
        )
    elif mode == "dynamic":
        plan = qplan.plan_dynamic(
            graph, per_channel=per_channel, exclude=exclude, min_elements=min_weight_elements
        )
    else:
        plan = qplan.plan_float16(graph, exclude=exclude)
    qgraph = apply(graph, plan)
    data = graph_to_bytes(qgraph)
    result = QuantizationResult(
        data, mode, plan.summary(), len(float_bytes), len(data), ranges, qgraph, graph
    )
    if output is not None:
        result.save(output, overwrite=overwrite)
    return result


def _samples(float_bytes: bytes, calibration, limit=None) -> list:
    from edgelite.interpreter import Interpreter
    from edgelite.quant.data import load_samples

    details = Interpreter(model_content=float_bytes).get_input_details()
    return load_samples(calibration, details, limit=limit)
