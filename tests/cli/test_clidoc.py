"""docs/CLI.md is generated from the click commands and must be current."""

from __future__ import annotations

from pathlib import Path

from edgelite.cli import main
from edgelite.clidoc import cli_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "CLI.md"


def test_cli_doc_is_current():
    assert DOC.is_file() and DOC.read_text(encoding="utf-8") == cli_markdown(), (
        "docs/CLI.md is stale: run python -m edgelite.clidoc --write"
    )


def test_cli_doc_covers_every_command():
    text = cli_markdown()
    for name in main.commands:
        assert f"## edgelite {name}\n" in text
        assert f"Usage: edgelite {name}" in text
