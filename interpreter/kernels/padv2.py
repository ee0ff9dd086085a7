"""PADV2: PAD with the pad value from a one-element third input (TFLite ``pad``).

For quantized tensors the value is already quantized with the output's parameters (TFLite
requires them to match). Without the third input it behaves as PAD.
"""

from __future__ import annotations

from edgelite.interpreter.kernels._pad import prepare_pad
from edgelite.interpreter.kernels.registry import kernel


@kernel("PADV2", "any")
def prepare_padv2(ctx):
    return prepare_pad(ctx)
