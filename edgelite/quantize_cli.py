"""``edgelite quantize``: the click command (registered by ``edgelite.cli``); it only parses
arguments, shows calibration progress and calls ``edgelite.quantization.quantize``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from edgelite.clitools import fail_cleanly

IO_TYPES = ["int8", "uint8", "int16", "float32"]


class _Progress:
    """A click progress bar created on the first report (the total is known only then)."""

    def __init__(self, enabled: bool):
        self.enabled, self.bar, self.done = enabled, None, 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="calibrating", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("quantize")
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="The quantized .tflite to write.",
)
@click.option(
    "--mode",
    type=click.Choice(["int8", "int16x8", "dynamic", "float16"]),
    default="int8",
    show_default=True,
)
@click.option(
    "--calibration",
    "-c",
    metavar="DATA",
    help="Calibration samples: .npz keyed by input name, .npy, or an image folder "
    "(needed by int8 and int16x8).",
)
@click.option("--per-tensor", is_flag=True, help="Per-tensor weights instead of per-channel.")
@click.option(
    "--input-type",
    type=click.Choice(IO_TYPES),
    help="Model input type (default: int8 for int8, float32 otherwise).",
)
@click.option("--output-type", type=click.Choice(IO_TYPES), help="Model output type.")
@click.option(
    "--method",
    type=click.Choice(["minmax", "percentile", "mse", "entropy"]),
    default="minmax",
    show_default=True,
    help="How activation ranges are chosen.",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="NAME_OR_REGEX",
    help="Keep ops float (op name, output tensor name or regex); repeatable.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), help="Use at most this many calibration samples."
)
@click.option(
    "--input-shape",
    "input_shapes",
    multiple=True,
    metavar="NAME:D0,D1,...",
    help="An ONNX input's shape where it has dynamic dims; repeatable.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Write a per-layer error report (JSON) on the calibration samples; a .png "
    "chart beside it when matplotlib is installed.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@fail_cleanly
def quantize_command(
    model,
    output,
    mode,
    calibration,
    per_tensor,
    input_type,
    output_type,
    method,
    exclude,
    limit,
    input_shapes,
    report_path,
    as_json,
    force,
):
    """Quantize MODEL (.tflite or .onnx) post-training and write OUTPUT.

    \b
    Examples:
      edgelite quantize model.tflite -o model_int8.tflite --calibration samples.npz
      edgelite quantize model.onnx -o m.tflite -c images/ --input-type uint8 --method mse
      edgelite quantize model.tflite -o m_dyn.tflite --mode dynamic
      edgelite quantize model.tflite -o m.tflite -c s.npz --exclude 'head/.*' --report r.json
    """
    from edgelite.quantization import quantize

    if Path(output).exists() and not force:
        raise click.UsageError(f"{output} exists; pass --force to overwrite it")
    if report_path:
        _check_report_path(Path(report_path), [Path(model), Path(output)], force)
    progress = _Progress(enabled=not as_json)
    try:
        result = quantize(
            model,
            calibration,
            mode=mode,
            per_channel=not per_tensor,
            input_type=input_type,
            output_type=output_type,
            calibration_method=method,
            exclude=list(exclude),
            output=output,
            overwrite=force,
            limit=limit,
            progress=progress,
            input_shapes=_shapes(input_shapes),
        )
    finally:
        progress.close()
    info = result.to_dict()
    if report_path:
        info["report"] = _report(result, calibration, report_path, limit)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    ops = ", ".join(f"{n} {k}" for k, n in sorted(result.plan["ops"].items()))
    click.echo(
        f"wrote {output}: {mode}, {result.size} bytes ({result.ratio:.1%} of float); ops: {ops}"
    )
    for f in result.plan["float_ops"]:
        click.echo(f"  kept float: op {f['index']} {f['type']} '{f['name']}': {f['reason']}")
    if report_path:
        click.echo(f"report: {report_path} (model SQNR {info['report']['sqnr_db']:.2f} dB)")


def _shapes(specs) -> dict:
    """``NAME:D0,D1,...`` specs (as ``edgelite convert`` takes them) -> {name: dims}."""
    shapes = {}
    for spec in specs:
        name, sep, dims = spec.rpartition(":")
        try:
            shapes[name] = [int(d) for d in dims.split(",")]
        except ValueError:
            sep = ""
        if not sep or not name:
            raise click.BadParameter(
                f"{spec!r}: expected NAME:D0,D1,... (e.g. input:1,3,224,224)",
                param_hint="--input-shape",
            )
    return shapes or None


def _check_report_path(path: Path, others: list, force: bool) -> None:
    """The report (and its .png) must not land on the model, the output or, unless
    --force, an existing file."""
    for p in (path, path.with_suffix(".png")):
        if any(p.resolve() == o.resolve() for o in others):
            raise click.UsageError(f"--report would write {p}, which is the model or OUTPUT")
        if p.exists() and not force and p == path:
            raise click.UsageError(f"{p} exists; pass --force to overwrite it")


def _report(result, calibration, path, limit) -> dict:
    from edgelite.converter.writer import graph_to_bytes
    from edgelite.interpreter import Interpreter
    from edgelite.quant.data import load_samples
    from edgelite.quant.report import report

    if calibration is None:
        raise click.UsageError("--report needs --calibration (the samples to compare on)")
    float_bytes = graph_to_bytes(result.float_graph)
    details = Interpreter(model_content=float_bytes).get_input_details()
    samples = load_samples(calibration, details, limit=limit)
    rep = report(float_bytes, result, samples[:16])
    rep.to_json(path)
    png = rep.plot(str(Path(path).with_suffix(".png")))
    return {"path": str(path), "png": png, **rep.to_dict()["model"]}
