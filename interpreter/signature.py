"""SignatureDefs: named entry points (``get_signature_runner``) as LiteRT exposes them."""

from __future__ import annotations

import numpy as np


def signature_table(view) -> dict:
    """key -> {"subgraph": index, "inputs": {name: tensor}, "outputs": {name: tensor}}."""
    table = {}
    for sig in view.signatures:
        table[sig.signature_key] = {
            "subgraph": int(sig.subgraph_index),
            "inputs": {t.name: int(t.tensor_index) for t in sig.inputs or []},
            "outputs": {t.name: int(t.tensor_index) for t in sig.outputs or []},
        }
    return table


class SignatureRunner:
    """Callable with keyword inputs; returns a dict of output arrays."""

    def __init__(self, interpreter, key: str, entry: dict):
        self._interp = interpreter
        self._key = key
        self._entry = entry
        self._index = entry["subgraph"]

    def _runtime(self):
        return self._interp.subgraph(self._index)

    def get_input_details(self):
        return {
            n: self._interp._tensor_details(i, self._index)
            for n, i in self._entry["inputs"].items()
        }

    def get_output_details(self):
        return {
            n: self._interp._tensor_details(i, self._index)
            for n, i in self._entry["outputs"].items()
        }

    def __call__(self, **kwargs):
        inputs = self._entry["inputs"]
        if len(kwargs) != len(inputs):
            raise ValueError(
                f"Invalid number of inputs provided for running a SignatureDef, "
                f"expected {len(inputs)} vs provided {len(kwargs)}"
            )
        for name in kwargs:
            if name not in inputs:
                raise ValueError(f"Invalid Input name ({name}) for SignatureDef")
        rt = self._runtime()
        resized = False
        for name, value in kwargs.items():
            value = np.asarray(value)
            idx = inputs[name]
            if tuple(rt.infos[idx].shape) != value.shape:
                rt.input_shapes[idx] = value.shape
                resized = True
        if resized or not rt.allocated:
            rt.allocate(self._interp._preserve_all)
        for name, value in kwargs.items():
            idx = inputs[name]
            target = rt.values[idx]
            value = np.asarray(value)
            if value.dtype != target.dtype:
                raise ValueError(
                    f"Cannot set tensor: Got value of type {value.dtype} but expected type "
                    f"{target.dtype} for input {idx}, name: {name}"
                )
            np.copyto(target, value)
        rt.invoke()
        return {n: np.array(rt.values[i]) for n, i in self._entry["outputs"].items()}
