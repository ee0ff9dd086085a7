"""The ``edgelite`` command line: thin wrappers over the library.

Exit codes: 0 ok, 1 a problem with what the user gave (bad model, bad input), 2 usage errors.
Errors print as one line plus a hint; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import numpy as np

from edgelite import __version__
from edgelite.clitools import fail_cleanly


def _default_model(model):
    if model is not None:
        return model
    from edgelite.samples import model_path

    path = model_path()
    click.echo(f"(no MODEL given: using the bundled sample {path.name})", err=True)
    return str(path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edgelite")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def main(debug):
    """edgelite: convert, quantize, inspect and run .tflite models on edge devices.

    \b
    Examples:
      edgelite demo                      # convert, quantize and run a bundled model
      edgelite run                       # the bundled sample model on random input
      edgelite convert model.onnx -o model.tflite --check
      edgelite quantize model.tflite -o model_int8.tflite -c samples.npz
      edgelite run model.tflite --input x.npy --repeat 20
      edgelite inspect model.tflite --tensors
    """


def _stats(x: np.ndarray) -> str:
    if x.size == 0:
        return "empty"
    if x.dtype.kind in "fiu":
        f = x.astype(np.float64)
        return f"min {f.min():.6g}  max {f.max():.6g}  mean {f.mean():.6g}"
    return f"{np.count_nonzero(x)} true of {x.size}"


def _preview(x: np.ndarray, n: int = 6) -> str:
    flat = x.reshape(-1)[:n]
    body = ", ".join(f"{v:.6g}" if x.dtype.kind == "f" else str(v) for v in flat.tolist())
    return "[" + body + (", ..." if x.size > n else "") + "]"


@main.command()
@click.argument("model", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--input",
    "-i",
    "inputs",
    multiple=True,
    metavar="[NAME=]FILE",
    help="Input data: .npy (in input order, or NAME=x.npy) or one .npz keyed by "
    "input name. Random inputs when omitted.",
)
@click.option("--repeat", "-n", default=1, show_default=True, help="Timed invokes.")
@click.option("--warmup", default=1, show_default=True, help="Untimed invokes first.")
@click.option("--seed", default=0, show_default=True, help="Seed of the random inputs.")
@click.option("--save", type=click.Path(dir_okay=False), help="Write the outputs to this .npz.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@fail_cleanly
def run(model, inputs, repeat, warmup, seed, save, as_json):
    """Run MODEL (.tflite) on given or random inputs; print outputs and timings.

    \b
    Examples:
      edgelite run model.tflite
      edgelite run model.tflite -i image.npy -n 50
      edgelite run model.tflite -i data.npz --save out.npz --json
    """
    from edgelite.runner import run_model

    model = _default_model(model)
    res = run_model(model, inputs, repeat=repeat, warmup=warmup, seed=seed)
    if save:
        import io

        from edgelite.schemas.model import write_atomic

        buf = io.BytesIO()
        np.savez(buf, **{f"output_{i}": x for i, (_, x) in enumerate(res["outputs"])})
        write_atomic(save, buf.getvalue())
    times = np.array(res["invoke_ms"])
    if as_json:
        click.echo(
            json.dumps(
                {
                    "model": res["model"],
                    "outputs": [
                        {
                            "name": n,
                            "shape": list(x.shape),
                            "dtype": x.dtype.name,
                            "values": x.reshape(-1)[:1000].tolist(),
                        }
                        for n, x in res["outputs"]
                    ],
                    "load_ms": res["load_ms"],
                    "allocate_ms": res["allocate_ms"],
                    "invoke_ms": {
                        "median": float(np.median(times)),
                        "min": float(times.min()),
                        "max": float(times.max()),
                        "runs": len(times),
                    },
                    "arena_bytes": res["arena_bytes"],
                },
                indent=2,
            )
        )
        return
    click.echo(f"model: {res['model']}")
    for name, x in res["inputs"]:
        click.echo(f"input  {name}: {list(x.shape)} {x.dtype.name}  {_stats(x)}")
    for name, x in res["outputs"]:
        click.echo(f"output {name}: {list(x.shape)} {x.dtype.name}  {_stats(x)}")
        click.echo(f"       {_preview(x)}")
    click.echo(
        f"load {res['load_ms']:.1f} ms, allocate {res['allocate_ms']:.1f} ms, "
        f"invoke median {np.median(times):.3f} ms over {len(times)} run(s) "
        f"(min {times.min():.3f}, max {times.max():.3f}); "
        f"activation arena {res['arena_bytes'] / 1024:.1f} KiB"
    )


@main.command()
@click.argument("model", required=False, type=click.Path(dir_okay=False))
@click.option("--runs", "-n", default=50, show_default=True, help="Timed invokes.")
@click.option("--warmup", default=5, show_default=True, help="Untimed invokes first.")
@click.option("--top", default=15, show_default=True, help="Slowest ops to list.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@fail_cleanly
def bench(model, runs, warmup, top, as_json):
    """Latency percentiles of MODEL in our interpreter, and a per-op profile.

    \b
    Examples:
      edgelite bench model.tflite
      edgelite bench model.tflite -n 200 --top 30
      edgelite bench model.tflite --json
    """
    from edgelite.bench import bench as run_bench
    from edgelite.bench import format_bench

    res = run_bench(_default_model(model), runs=runs, warmup=warmup)
    click.echo(json.dumps(res, indent=2) if as_json else format_bench(res, top=top))


@main.command("export-c")
@click.argument("model", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--output",
    "-o",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for <name>_model.h and <name>_model.cc.",
)
@click.option("--name", help="C identifier stem (default: the model file's name).")
@click.option(
    "--arena-size",
    type=int,
    help="Tensor arena bytes (default: measured with the "
    "tflite-micro package if installed, else estimated).",
)
@click.option("--force", is_flag=True, help="Replace existing files.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@fail_cleanly
def export_c(model, out_dir, name, arena_size, force, as_json):
    """Write MODEL as C++ for TensorFlow Lite Micro: byte array, op resolver, arena size.

    \b
    Examples:
      edgelite export-c model_int8.tflite -o firmware/model
      edgelite export-c kws.tflite -o src --name kws --arena-size 40000
    """
    from edgelite.export_c import export_c as run_export

    res = run_export(model, out_dir, name=name, arena_size=arena_size, overwrite=force)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "header": str(res.header),
                    "source": str(res.source),
                    "ops": res.ops,
                    "arena_size": res.arena_size,
                    "arena_source": res.arena_source,
                },
                indent=2,
            )
        )
        return
    click.echo(f"wrote {res.header} and {res.source}")
    click.echo(f"ops ({len(res.ops)}): {', '.join(res.ops)}")
    click.echo(f"arena: {res.arena_size} bytes ({res.arena_source})")


@main.command()
@click.argument("model", required=False, type=click.Path(dir_okay=False))
@click.option("--tensors", "-t", is_flag=True, help="List every tensor.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@fail_cleanly
def inspect(model, tensors, as_json):
    """Show MODEL's ops, tensors, dtypes, quantization, sizes, signatures and memory plan.

    \b
    Examples:
      edgelite inspect model.tflite
      edgelite inspect model.tflite --tensors
      edgelite inspect model.tflite --json | jq .subgraphs[0].ops
    """
    from edgelite.describe import describe, format_description

    d = describe(_default_model(model))
    if as_json:
        click.echo(json.dumps(d, indent=2))
    else:
        click.echo(format_description(d, tensors=tensors))


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


@main.command()
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
@click.option(
    "--input",
    "-i",
    "inputs",
    multiple=True,
    metavar="[NAME=]FILE",
    help="Inputs for --check (.npy/.npz, in the source's layout). Random when omitted.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the random check inputs.")
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
def convert(
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

    q = quantize(res.model, calibration, mode=mode, calibration_method=method, output=output)
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


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Keep the float and int8 .tflite files in this folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@fail_cleanly
def demo(out_dir, as_json):
    """Convert, quantize and run the bundled digits CNN; report sizes, accuracy and latency.

    \b
    Offline and quick: the ONNX model, calibration and test images ship with edgelite.
    Examples:
      edgelite demo
      edgelite demo --out digits
      edgelite compare digits/digits_float.tflite digits/digits_int8.tflite
    """
    from edgelite.demo import INSTALL_HINT, format_report, onnx_available, run_demo

    if not onnx_available():
        click.echo(f"error: {INSTALL_HINT}", err=True)
        sys.exit(1)
    res = run_demo(out_dir)
    click.echo(json.dumps(res, indent=2) if as_json else format_report(res))


@main.command()
@click.argument("model_a", type=click.Path(dir_okay=False, exists=True))
@click.argument("model_b", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--input",
    "-i",
    "inputs",
    multiple=True,
    metavar="[NAME=]FILE",
    help="Real-valued inputs in MODEL_A's layout (.npy in input order, NAME=x.npy, or one .npz).",
)
@click.option("--samples", "-n", default=4, show_default=True, help="Random input sets.")
@click.option("--seed", default=0, show_default=True, help="Seed of the random inputs.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@fail_cleanly
def compare(model_a, model_b, inputs, samples, seed, as_json):
    """Run MODEL_A and MODEL_B on the same inputs; per-output error of B against A.

    \b
    .tflite runs in edgelite's interpreter, .onnx in onnxruntime. int8 inputs and outputs
    are (de)quantized with each model's own parameters. Prints max and mean absolute error,
    SQNR and cosine similarity per output.
    Examples:
      edgelite compare model_float.tflite model_int8.tflite
      edgelite compare model.onnx model.tflite -i x.npy --json
    """
    from edgelite.compare import compare as run_compare
    from edgelite.compare import format_comparison, jsonable

    res = run_compare(model_a, model_b, inputs, samples=samples, seed=seed)
    click.echo(json.dumps(jsonable(res), indent=2) if as_json else format_comparison(res))


def _register_commands_from_modules() -> None:
    from edgelite.quantize_cli import quantize_command

    main.add_command(quantize_command, name="quantize")


_register_commands_from_modules()

if __name__ == "__main__":
    main()
