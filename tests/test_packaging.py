"""Every Python package folder is listed in pyproject.toml, so wheels carry all of it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _mapping():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    dirs = dict(re.findall(r'"(edgelite[\w.]*)" = "([\w/]+)"', text))
    listed = set(re.findall(r'"(edgelite[\w.]*)"', text.split("packages = [", 1)[1].split("]")[0]))
    return dirs, listed


def test_every_package_folder_is_listed():
    dirs, listed = _mapping()
    roots = {pkg: ROOT / d for pkg, d in dirs.items() if "." not in pkg or pkg.count(".") == 1}
    found = set()
    for pkg, folder in roots.items():
        for init in folder.rglob("__init__.py"):
            rel = init.parent.relative_to(folder).parts
            found.add(".".join((pkg, *rel)))
    missing = sorted(found - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"
