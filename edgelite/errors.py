"""The exceptions edgelite raises for problems with what a user gave it.

Every message names the file, the subgraph/operator/tensor involved and what is wrong, so the
user can act on it without a traceback.
"""


class EdgeliteError(Exception):
    """Base class of every error edgelite raises on purpose."""


class InvalidModelError(EdgeliteError, ValueError):
    """A model file is malformed, truncated or inconsistent."""


class UnsupportedOpError(EdgeliteError, ValueError):
    """A model uses ops (or op variants) that edgelite cannot run or convert."""


class ConversionError(EdgeliteError):
    """A source model could not be converted."""


class QuantizationError(EdgeliteError):
    """A model could not be quantized as asked."""


class UsageError(EdgeliteError, ValueError):
    """An API was called with arguments it cannot accept."""


class InvokeError(EdgeliteError, RuntimeError):
    """An op found its run-time data invalid (a zero divisor, an axis out of range, ...);
    a RuntimeError, as LiteRT's failed invokes are."""


# What Python raises inside code handed data it did not expect (a corrupt model's shapes,
# indices or options): the places that turn it into one of the errors above catch these.
MALFORMED = (
    AttributeError, IndexError, KeyError, OverflowError, TypeError, ValueError, ZeroDivisionError,
)  # fmt: skip
