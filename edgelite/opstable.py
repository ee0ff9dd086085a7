"""The supported-ops table, generated from the kernel registry: ``python -m edgelite.opstable``.

Writes docs/SUPPORTED_OPS.md when run with ``--write``; a test checks the file is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLUMNS = ("float", "int8", "uint8", "int16", "hybrid", "int32", "int64", "bool", "any")


def ops_markdown() -> str:
    from edgelite.interpreter.kernels import supported_ops

    table = supported_ops()
    lines = [
        "# Interpreter: supported TFLite ops",
        "",
        "Generated from the kernel registry by `python -m edgelite.opstable --write`; do not edit.",
        "`any` marks type-generic kernels (data movement) that run on every tensor type.",
        "",
        "| op | " + " | ".join(COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    for op, families in table.items():
        cells = ["yes" if c in families else "" for c in COLUMNS]
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"{len(table)} ops.")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = ops_markdown()
    if "--write" in argv:
        out = Path(__file__).resolve().parents[1] / "docs" / "SUPPORTED_OPS.md"
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
