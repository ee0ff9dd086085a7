"""edgelite: take trained models to edge and microcontroller devices."""

__version__ = "0.1.0"

from edgelite.errors import (  # noqa: E402
    ConversionError,
    EdgeliteError,
    InvalidModelError,
    QuantizationError,
    UnsupportedOpError,
)


def convert(model, output=None, **kwargs):
    """Convert an ONNX or .tflite model to .tflite; see ``edgelite.conversion.convert``."""
    from edgelite.conversion import convert as _convert

    return _convert(model, output, **kwargs)


def quantize(model, calibration=None, **kwargs):
    """Post-training quantization; see ``edgelite.quantization.quantize``."""
    from edgelite.quantization import quantize as _quantize

    return _quantize(model, calibration, **kwargs)


def __getattr__(name):
    # ``edgelite.Interpreter`` without importing the interpreter on ``import edgelite``
    if name == "Interpreter":
        from edgelite.interpreter import Interpreter

        return Interpreter
    raise AttributeError(f"module 'edgelite' has no attribute {name!r}")


__all__ = [
    "ConversionError",
    "EdgeliteError",
    "InvalidModelError",
    "QuantizationError",
    "UnsupportedOpError",
    "__version__",
    "Interpreter",
    "convert",
    "quantize",
]
