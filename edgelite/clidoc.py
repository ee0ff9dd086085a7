"""The command-line reference, generated from the click commands: ``python -m edgelite.clidoc``.

Writes docs/CLI.md when run with ``--write``; a test checks the file is current. Help text is
rendered at a fixed width so the file does not depend on the terminal.
"""

from __future__ import annotations

import click

WIDTH = 100


def _context(cmd: click.Command, name: str, parent: click.Context = None) -> click.Context:
    settings = {**cmd.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    return cmd.context_class(cmd, info_name=name, parent=parent, **settings)


def _help(cmd: click.Command, name: str, parent: click.Context = None) -> str:
    return cmd.get_help(_context(cmd, name, parent))


def cli_markdown() -> str:
    from edgelite.cli import main

    root = _context(main, "edgelite")
    lines = [
        "# Command-line reference",
        "",
        "Generated from the click commands by `python -m edgelite.clidoc --write`; do not edit.",
        "Every command also prints this with `--help` (or `-h`). Shell completion: see",
        "[USER_GUIDE.md](USER_GUIDE.md#shell-completion).",
        "",
        "## edgelite",
        "",
        "```text",
        _help(main, "edgelite"),
        "```",
    ]
    for name in sorted(main.list_commands(root)):
        cmd = main.get_command(root, name)
        lines += ["", f"## edgelite {name}", "", "```text", _help(cmd, name, root), "```"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    from edgelite.opstable import write_or_print

    return write_or_print("CLI.md", cli_markdown(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
