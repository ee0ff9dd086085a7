"""PAD: constant padding by a [rank, 2] ``paddings`` input (TFLite ``pad``).

The pad value is 0, or the output's zero point when the tensor is quantized (the quantized 0).
Like TFLite (one kernel for both ops), a third input, when present, supplies the value.
"""

from __future__ import annotations

from edgelite.interpreter.kernels._pad import prepare_pad
from edgelite.interpreter.kernels.registry import kernel


@kernel("PAD", "any")
def prepare_pad_op(ctx):
    return prepare_pad(ctx)
