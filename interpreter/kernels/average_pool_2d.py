"""AVERAGE_POOL_2D: window mean over in-bounds pixels (TFLite ``reference_ops::AveragePool``).

Each output divides its window sum by the number of window pixels inside the input: padding
is not counted. Fused activation applied afterwards.
"""

from edgelite.interpreter.kernels._conv_util import prepare_pool, prepare_pool_int
from edgelite.interpreter.kernels.registry import kernel


@kernel("AVERAGE_POOL_2D", "float")
def prepare_average_pool_2d(ctx):
    return prepare_pool(ctx)


@kernel("AVERAGE_POOL_2D", "int8", "uint8", "int16")
def prepare_average_pool_2d_int(ctx):
    return prepare_pool_int(ctx)
