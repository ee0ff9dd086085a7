"""``edgelite convert``: ONNX or .tflite to an optimized .tflite, optionally quantized."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from edgelite.clitools import count_option, fail_cleanly, input_files_option


def _parse_shapes(specs) -> dict:
    shapes = {}
    for spec in specs:
        name, sep, dims = spec.rpartition(":")
        try:
            shape = [int(d) for d in dims.split(",")] if dims.strip() else []
        except ValueError:
            shape = None
        if not sep or not name or shape is None:
            raise click.BadParameter(
                f"{spec!r}: expected NAME:D0,D1,... (e.g. input:1,3,224,224)",
                param_hint="--input-shape",
            )
        shapes[name] = shape
    return shapes


def _print_conversion(res) -> None:
    click.echo(f"source: {res.source} ({res.source_format})")
    width = max((len(s.name) for s in res.passes), default=0)
    click.echo(f"  {'import':<{width}}  {sum(res.ops_before.values()):5d} ops")
    for s in res.passes:
        delta = s.ops_after - s.ops_before
        note = "" if not delta else f"  ({delta:+d}: {_count_changes(s.before, s.after)})"
        click.echo(f"  {s.name:<{width}}  {s.ops_after:5d} ops{note}")
    ops = ", ".join(f"{k} {v}" for k, v in sorted(res.ops_after.items(), key=lambda kv: -kv[1]))
    click.echo(f"result: {sum(res.ops_after.values())} ops ({ops}), {len(res.model)} bytes")
    for c in res.checks or []:
        status = "ok" if c.ok else "FAIL"
        click.echo(
            f"check {c.name}: max abs error {c.max_abs:.3g}, relative {c.max_rel:.3g}  [{status}]"
        )


def _count_changes(before: dict, after: dict) -> str:
    parts = []
    for k in sorted(set(before) | set(after)):
        d = after.get(k, 0) - before.get(k, 0)
        if d:
            parts.append(f"{k} {d:+d}")
    return ", ".join(parts)


@click.command("convert")
@click.argument("model", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False), help="The .tflite to write."
)
@click.option(
    "--input-shape",
    "input_shapes",
    multiple=True,
    metavar="NAME:D0,D1,...",
    help="Fix an ONNX input's dynamic dims (repeatable), e.g. input:1,3,224,224.",
)
@click.option(
    "--keep-layout",
    is_flag=True,
    help="Keep ONNX's NCHW inputs (a TRANSPOSE follows them) instead of making them NHWC.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Compare with the source's runtime (onnxruntime / LiteRT); fail over 1e-4 relative error.",
)
@input_files_option("Inputs for --check (.npy/.npz, in the source's layout). Random when omitted.")
@count_option("--seed", default=0, minimum=0, help="Seed of the random check inputs.")
@click.option("--no-optimize", is_flag=True, help="Skip the optimization passes.")
@click.option(
    "--quantize",
    "quant_mode",
    type=click.Choice(["int8", "int16x8", "dynamic", "float16"]),
    help="Quantize the converted model in the same step.",
)
@click.option(
    "--calibration",
    "-c",
    metavar="DATA",
    help="Calibration samples for --quantize "
    "int8/int16x8 (.npz keyed by input name, .npy or an image folder).",
)
@click.option(
    "--method",
    default="minmax",
    show_default=True,
    type=click.Choice(["minmax", "percentile", "mse", "entropy"]),
    help="Calibration method for --quantize.",
)
@click.option("--force", "-f", is_flag=True, help="Replace OUTPUT if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@fail_cleanly
def convert_command(
    model,
    output,
    input_shapes,
    keep_layout,
    check,
    inputs,
    seed,
    no_optimize,
    quant_mode,
    calibration,
    method,
    force,
    as_json,
):
    """Convert MODEL (.onnx or .tflite) to an optimized .tflite; print op counts per pass.

    \b
    Examples:
      edgelite convert model.onnx -o model.tflite
      edgelite convert model.onnx -o model.tflite --input-shape input:1,3,224,224 --check
      edgelite convert float.tflite -o smaller.tflite --force --json
      edgelite convert model.onnx -o model_int8.tflite --quantize int8 -c samples.npz
    """
    from edgelite.conversion import convert as run_convert

    if quant_mode is None and (calibration or method != "minmax"):
        raise click.UsageError("--calibration and --method go with --quantize")
    if quant_mode and Path(output).exists() and not force:
        raise FileExistsError(f"{output} exists; pass --force to replace it")
    res = run_convert(
        model,
        None if quant_mode else output,
        input_shapes=_parse_shapes(input_shapes) or None,
        keep_layout=keep_layout,
        passes=None if no_optimize else "default",
        check=check or bool(inputs),
        check_inputs=inputs,
        seed=seed,
        overwrite=force,
    )
    if as_json:
        click.echo(json.dumps(res.to_dict(), indent=2))
    else:
        _print_conversion(res)
    if not res.ok:
        click.echo(
            f"error: the converted model differs from the source by more than 1e-4 "
            f"(relative); {output} was not written",
            err=True,
        )
        sys.exit(1)
    if quant_mode:
        _quantize_converted(res, output, quant_mode, calibration, method, as_json)
    elif not as_json:
        click.echo(f"wrote {res.output}")


def _quantize_converted(res, output, mode, calibration, method, as_json) -> None:
    from edgelite.quantization import quantize

    q = quantize(  # the caller has refused an existing output without --force
        res.model, calibration, mode=mode, calibration_method=method, output=output,
        overwrite=True,
    )  # fmt: skip
    if as_json:
        click.echo(
            json.dumps(
                {
                    "conversion": res.to_dict(),
                    "quantized": {
                        "mode": q.mode,
                        "size": q.size,
                        "float_size": q.float_size,
                        "output": str(output),
                    },
                },
                indent=2,
            )
        )
    else:
        click.echo(f"quantized ({mode}): {q.size} bytes, {q.size / q.float_size:.1%} of float")
        click.echo(f"wrote {output}")
