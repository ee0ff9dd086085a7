"""MAX_POOL_2D: window maximum over in-bounds pixels (TFLite ``reference_ops::MaxPool``).

Padding never wins: the padded border holds -inf. Fused activation applied afterwards.
"""

from edgelite.interpreter.kernels._conv_util import prepare_pool, prepare_pool_int
from edgelite.interpreter.kernels.registry import kernel


@kernel("MAX_POOL_2D", "float")
def prepare_max_pool_2d(ctx):
    return prepare_pool(ctx, maximum=True)


@kernel("MAX_POOL_2D", "int8", "uint8", "int16")
def prepare_max_pool_2d_int(ctx):
    return prepare_pool_int(ctx, maximum=True)
