"""Per-layer error report: where a quantized model departs from its float original.

Both models run on the same samples with every intermediate tensor kept; tensors are matched by
name (the quantizer keeps the float model's names), quantized values are dequantized, and each
op's output gets SQNR / cosine / max error against the float value. The table is ranked
worst-first; ``suggest`` names the ops whose own quantization loses the most (the SQNR drop from
their inputs to their output), the first ones to try with ``exclude=``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from edgelite.quant.metrics import summary


@dataclass
class LayerError:
    index: int
    op: str
    tensor: str
    sqnr_db: float
    cosine: float
    max_abs_error: float
    drop_db: float = 0.0  # SQNR lost by this op: worst input SQNR minus output SQNR

    def to_dict(self) -> dict:
        return {k: _num(v) for k, v in self.__dict__.items()}


@dataclass
class Report:
    layers: list
    model: dict  # the model outputs' metrics (all outputs and samples together)
    outputs: list = field(default_factory=list)
    suggest: list = field(default_factory=list)
    runner: str = "edgelite"

    def ranked(self) -> list:
        return sorted(self.layers, key=lambda r: r.sqnr_db)

    def to_dict(self) -> dict:
        return {
            "model": {k: _num(v) for k, v in self.model.items()},
            "outputs": [{k: _num(v) for k, v in o.items()} for o in self.outputs],
            "layers": [r.to_dict() for r in self.ranked()],
            "suggest_exclude": self.suggest,
            "runner": self.runner,
        }

    def to_json(self, path=None) -> str:
        text = json.dumps(self.to_dict(), indent=2)
        if path is not None:
            from edgelite.schemas.model import write_atomic

            write_atomic(path, (text + "\n").encode())
        return text

    def table(self, limit: int = 20) -> str:
        lines = [
            f"{'#':>4} {'op':20} {'SQNR dB':>8} {'drop':>6} {'cosine':>8} {'max err':>10}  tensor"
        ]
        for r in self.ranked()[:limit]:
            lines.append(
                f"{r.index:4d} {r.op:20} {r.sqnr_db:8.2f} {r.drop_db:6.2f} {r.cosine:8.5f} "
                f"{r.max_abs_error:10.4g}  {r.tensor}"
            )
        m = self.model
        lines.append(
            f"model: SQNR {m['sqnr_db']:.2f} dB, cosine {m['cosine']:.5f}, "
            f"max error {m['max_abs_error']:.4g}"
        )
        if self.suggest:
            lines.append("try excluding: " + ", ".join(self.suggest))
        return "\n".join(lines)

    def plot(self, path) -> bool:
        """A bar chart of per-op SQNR in graph order; False (no file) without matplotlib."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            return False
        layers = sorted(self.layers, key=lambda r: r.index)
        fig, ax = plt.subplots(figsize=(max(6, 0.25 * len(layers)), 4))
        ax.bar(range(len(layers)), [min(r.sqnr_db, 100.0) for r in layers])
        ax.set_xticks(range(len(layers)))
        ax.set_xticklabels([f"{r.index}:{r.op}" for r in layers], rotation=90, fontsize=6)
        ax.set_ylabel("SQNR (dB)")
        ax.set_title("per-op output SQNR vs float")
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return True


def _num(v):
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if np.isfinite(v) else str(v)
    return v


# -- running the models --------------------------------------------------------------------------
def _content(model) -> bytes:
    if hasattr(model, "model") and isinstance(model.model, (bytes, bytearray)):
        return bytes(model.model)  # a QuantizationResult
    if isinstance(model, (bytes, bytearray)):
        return bytes(model)
    with open(model, "rb") as f:
        return f.read()


def _interpreter(content: bytes, runner: str):
    if runner == "litert":
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        it = Interpreter(
            model_content=content,
            experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
            experimental_preserve_all_tensors=True,
        )
    else:
        from edgelite.interpreter import Interpreter

        it = Interpreter(model_content=content, experimental_preserve_all_tensors=True)
    it.allocate_tensors()
    return it


def _fit(x, detail) -> np.ndarray:
    x = np.asarray(x, np.float32)
    if detail["dtype"] == np.float32:
        return x
    scale, zp = detail["quantization"]
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(x / scale) + zp, info.min, info.max).astype(detail["dtype"])


def _dequant(x, detail) -> np.ndarray:
    q = detail.get("quantization_parameters") or {}
    scales = np.asarray(q.get("scales", []), np.float64)
    if x.dtype == np.float32 or x.dtype == np.float16 or scales.size != 1:
        return np.asarray(x, np.float64)
    zp = np.asarray(q.get("zero_points", [0]), np.float64)[0]
    return (x.astype(np.float64) - zp) * scales[0]


def _collect(content: bytes, samples: list, runner: str):
    """{tensor name: list of float64 arrays per sample} and the outputs per sample."""
    it = _interpreter(content, runner)
    details = {d["name"]: d for d in it.get_tensor_details()}
    values: dict = {}
    outputs = []
    for sample in samples:
        for d, x in zip(it.get_input_details(), sample):
            it.set_tensor(d["index"], _fit(x, d))
        it.invoke()
        for name, d in details.items():
            try:
                v = it.get_tensor(d["index"])
            except ValueError:
                continue
            if v is not None and np.asarray(v).dtype.kind in "fiu":
                values.setdefault(name, []).append(_dequant(np.asarray(v), d))
        outputs.append([_dequant(it.get_tensor(d["index"]), d) for d in it.get_output_details()])
    return values, outputs


def _ops(content: bytes) -> list:
    """(index, op name, [input names], [output names]) of the main subgraph."""
    from edgelite.schemas.model import load_model, op_name

    m = load_model(content)
    sg = m.subgraphs[0]
    names = [t.name for t in sg.tensors]
    return [
        (
            i,
            op_name(m.operator_codes[op.opcode_index]),
            [names[j] for j in op.inputs if j >= 0],
            [names[j] for j in op.outputs],
        )
        for i, op in enumerate(sg.operators or [])
    ]


def _metrics(ref: list, test: list) -> dict:
    a = np.concatenate([np.asarray(x, np.float64).reshape(-1) for x in ref])
    b = np.concatenate([np.asarray(x, np.float64).reshape(-1) for x in test])
    return summary(a, b)


def report(float_model, quant_model, samples, *, runner: str = "auto", suggest: int = 3) -> Report:
    """Compare ``quant_model`` with ``float_model`` on ``samples`` (lists of float input arrays,
    or anything ``quant.data.load_samples`` reads). ``runner``: "edgelite", "litert" or "auto"
    (ours, falling back to LiteRT's reference kernels when ours cannot run the model)."""
    fbytes, qbytes = _content(float_model), _content(quant_model)
    samples = _samples(samples, fbytes)
    fvals, fouts = _collect(fbytes, samples, "edgelite")
    if runner == "auto":
        from edgelite.errors import UnsupportedOpError

        try:
            qvals, qouts = _collect(qbytes, samples, "edgelite")
            runner = "edgelite"
        except (UnsupportedOpError, NotImplementedError):
            runner = "litert"
    if runner != "edgelite" or "qvals" not in locals():
        qvals, qouts = _collect(qbytes, samples, runner)
    layers, sqnr = [], {}
    for i, op, ins, outs in _ops(qbytes):
        if op in ("QUANTIZE", "DEQUANTIZE"):
            continue
        for name in outs:
            if name not in fvals or name not in qvals:
                continue
            if [x.shape for x in fvals[name]] != [x.shape for x in qvals[name]]:
                continue
            m = _metrics(fvals[name], qvals[name])
            sqnr[name] = m["sqnr_db"]
            worst_in = min((sqnr[n] for n in ins if n in sqnr), default=float("inf"))
            drop = worst_in - m["sqnr_db"] if np.isfinite(worst_in) else 0.0
            layers.append(LayerError(i, op, name, drop_db=drop, **m))
    per_output = [
        _metrics([o[j] for o in fouts], [o[j] for o in qouts]) for j in range(len(fouts[0]))
    ]
    model = _metrics([x for o in fouts for x in o], [x for o in qouts for x in o])
    worst = sorted((r for r in layers if r.drop_db > 1.0), key=lambda r: -r.drop_db)
    return Report(layers, model, per_output, [r.tensor for r in worst[:suggest]], runner)


def _samples(samples, fbytes: bytes) -> list:
    if isinstance(samples, list) and samples and isinstance(samples[0], (list, tuple)):
        return [list(s) for s in samples]
    from edgelite.interpreter import Interpreter
    from edgelite.quant.data import load_samples

    return load_samples(samples, Interpreter(model_content=fbytes).get_input_details())
