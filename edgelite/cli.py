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
from edgelite.clitools import count_option, fail_cleanly, input_files_option


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
@input_files_option(
    "Input data: .npy (in input order, or NAME=x.npy) or one .npz keyed by "
    "input name. Random inputs when omitted."
)
@count_option("--repeat", "-n", default=1, minimum=1, help="Timed invokes.")
@count_option("--warmup", default=1, minimum=0, help="Untimed invokes first.")
@count_option("--seed", default=0, minimum=0, help="Seed of the random inputs.")
@click.option("--save", type=click.Path(dir_okay=False), help="Write the outputs to this .npz.")
@click.option("--force", is_flag=True, help="Replace the --save file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@fail_cleanly
def run(model, inputs, repeat, warmup, seed, save, force, as_json):
    """Run MODEL (.tflite) on given or random inputs; print outputs and timings.

    \b
    Examples:
      edgelite run model.tflite
      edgelite run model.tflite -i image.npy -n 50
      edgelite run model.tflite -i data.npz --save out.npz --json
    """
    from edgelite.runner import run_model

    model = _default_model(model)
    if save and Path(save).exists() and not force:
        raise click.UsageError(f"{save} exists; pass --force to replace it")
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
@count_option("--runs", "-n", default=50, minimum=1, help="Timed invokes.")
@count_option("--warmup", default=5, minimum=0, help="Untimed invokes first.")
@count_option("--top", default=15, minimum=0, help="Slowest ops to list.")
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
    type=click.IntRange(min=1),
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
@input_files_option(
    "Real-valued inputs in MODEL_A's layout (.npy in input order, NAME=x.npy, or one .npz)."
)
@count_option("--samples", "-n", default=4, minimum=1, help="Random input sets.")
@count_option("--seed", default=0, minimum=0, help="Seed of the random inputs.")
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
    from edgelite.convert_cli import convert_command
    from edgelite.quantize_cli import quantize_command

    main.add_command(convert_command, name="convert")
    main.add_command(quantize_command, name="quantize")


_register_commands_from_modules()

if __name__ == "__main__":
    main()
