"""ONNX -> IR importer: ``import_onnx(model, input_shapes=None, nhwc_inputs=True) -> Graph``.

``importer.py`` walks the nodes; ``registry.py`` holds one entry per ONNX op type, filled by the
op-family modules in ``ops/``; ``layout.py`` tracks how each IR tensor is permuted relative to
its ONNX value (NCHW held as NHWC).
"""

from __future__ import annotations

from edgelite.converter.importers.onnx.importer import import_onnx
from edgelite.converter.importers.onnx.registry import supported_ops

__all__ = ["import_onnx", "supported_ops"]
