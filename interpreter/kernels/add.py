"""ADD: elementwise sum with broadcasting and a fused activation (TFLite ``add``)."""

import numpy as np

from edgelite.interpreter.kernels._binary import prepare_binary
from edgelite.interpreter.kernels.registry import kernel


@kernel("ADD", "float")
def prepare_add(ctx):
    return prepare_binary(ctx, np.add)
