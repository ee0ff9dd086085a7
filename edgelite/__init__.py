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
    """Convert an ONNX or .tflite model to .tflite; see ``edgelite.convert.convert``."""
    from edgelite.convert import convert as _convert

    return _convert(model, output, **kwargs)


__all__ = [
    "ConversionError",
    "EdgeliteError",
    "InvalidModelError",
    "QuantizationError",
    "UnsupportedOpError",
    "__version__",
    "convert",
]
