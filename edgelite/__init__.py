"""edgelite: take trained models to edge and microcontroller devices."""

__version__ = "0.1.0"

from edgelite.errors import (  # noqa: E402
    ConversionError,
    EdgeliteError,
    InvalidModelError,
    QuantizationError,
    UnsupportedOpError,
)

__all__ = [
    "ConversionError",
    "EdgeliteError",
    "InvalidModelError",
    "QuantizationError",
    "UnsupportedOpError",
    "__version__",
]
