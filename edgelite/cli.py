"""The ``edgelite`` command line: thin wrappers over the library.

Exit codes: 0 ok, 1 a problem with what the user gave (bad model, bad input), 2 usage errors.
Errors print as one line plus a hint; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import functools
import json
import sys

import click
import numpy as np

from edgelite import __version__
from edgelite.errors import EdgeliteError


def _fail_cleanly(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return fn(*args, **kwargs)
        except (EdgeliteError, FileExistsError) as e:
            if debug:
                raise
            first, *rest = str(e).splitlines()
            click.echo(f"error: {first}", err=True)
            for line in rest:
                click.echo(f"  {line}", err=True)
            sys.exit(1)

    return wrapper


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
      edgelite run                       # the bundled sample model on random input
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
@_fail_cleanly
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
@click.option("--tensors", "-t", is_flag=True, help="List every tensor.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_fail_cleanly
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


if __name__ == "__main__":
    main()
