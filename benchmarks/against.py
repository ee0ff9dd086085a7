"""This checkout's interpreter against an earlier revision's, in one process:
``python benchmarks/against.py REV [models...]``.

On a machine whose speed drifts, timings taken minutes apart (or in two processes whose BLAS
threads compete) cannot show a 5-10% change. Here the revision's package is installed into a
temporary directory under another name (``edgelite_rev``), both interpreters load each model,
take turns as in ``run.py`` and the median ratio over turns is printed (new / old below 1:
this checkout is faster). Outputs are compared too: integer models must match exactly, float
ones within 1e-5 of each output's largest magnitude (summation order may differ).
"""

from __future__ import annotations

import argparse
import importlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DEFAULT, ROOT, find, flat, fmt, interleaved, prepared, ratio  # noqa: E402

ALIAS = "edgelite_rev"


def install_revision(rev: str, into: Path) -> None:
    """The package as of ``rev``, importable from ``into`` as ``edgelite_rev``."""
    src = into / "src"
    run_or_exit(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(src), rev])
    try:
        run_or_exit([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                     "--target", str(into / "site"), str(src)])  # fmt: skip
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(src)],
                       check=False, capture_output=True)  # fmt: skip
    pkg = into / "site" / ALIAS
    shutil.move(str(into / "site" / "edgelite"), str(pkg))
    for f in pkg.rglob("*.py"):
        text = f.read_text()
        f.write_text(re.sub(r"\bedgelite(?=[. ])", ALIAS, text))
    sys.path.insert(0, str(into / "site"))


def run_or_exit(cmd: list) -> None:
    """Run a command; on failure stop with its own error message."""
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed:\n{done.stderr.strip()}")


def same_outputs(a, b) -> bool:
    for da, db in zip(a.get_output_details(), b.get_output_details()):
        x, y = a.get_tensor(da["index"]), b.get_tensor(db["index"])
        if x.dtype.kind == "f":
            if np.abs(x - y).max(initial=0) > 1e-5 * max(1.0, np.abs(y).max(initial=0)):
                return False
        elif not np.array_equal(x, y):
            return False
    return True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the git revision to compare against (e.g. HEAD~3)")
    ap.add_argument("models", nargs="*", default=DEFAULT, help="model names (file stems)")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args(argv)

    from edgelite.interpreter import Interpreter

    with tempfile.TemporaryDirectory() as tmp:
        install_revision(args.rev, Path(tmp))
        Old = importlib.import_module(f"{ALIAS}.interpreter").Interpreter
        print(f"{'model':34} {args.rev[:12]:>12} {'this tree':>12} {'new/old':>8}")
        for name in args.models:
            path = find(name)
            runs = args.runs if path.stat().st_size > 100_000 else args.runs * 100
            old = prepared(lambda p: Old(model_path=p), path, 3)
            new = prepared(lambda p: Interpreter(model_path=p), path, 3)
            t_old, t_new = interleaved([old, new], runs)
            med, _ = ratio(t_new, t_old)
            check = "" if same_outputs(old, new) else "  OUTPUTS DIFFER"
            print(f"{name:34} {fmt(np.median(flat(t_old))):>12} "
                  f"{fmt(np.median(flat(t_new))):>12} {med:7.3f}{check}")  # fmt: skip


if __name__ == "__main__":
    main()
