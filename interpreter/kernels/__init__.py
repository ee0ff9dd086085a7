"""Kernels, one module per TFLite op; importing this package registers them all."""

import importlib
import pkgutil

from edgelite.interpreter.kernels.registry import KERNELS, kernel, lookup, supported_ops


def _load_all() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_") and mod.name not in ("registry", "context", "common"):
            importlib.import_module(f"{__name__}.{mod.name}")


_load_all()

__all__ = ["KERNELS", "kernel", "lookup", "supported_ops"]
