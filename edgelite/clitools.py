"""Shared pieces of the click commands."""

from __future__ import annotations

import functools
import sys

import click

from edgelite.errors import EdgeliteError


def fail_cleanly(fn):
    """Report edgelite errors as one line (plus indented details) and exit 1; ``--debug`` on
    the root command shows the traceback instead."""

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


def input_files_option(help_text: str):
    """``--input/-i [NAME=]FILE`` (repeatable): the same spelling in every command."""
    return click.option(
        "--input", "-i", "inputs", multiple=True, metavar="[NAME=]FILE", help=help_text
    )


def count_option(*names: str, default: int, minimum: int, help: str):
    """An integer option with a default shown in --help and values below ``minimum`` refused
    by click (counts, seeds, list lengths)."""
    return click.option(
        *names, default=default, type=click.IntRange(min=minimum), show_default=True, help=help
    )
