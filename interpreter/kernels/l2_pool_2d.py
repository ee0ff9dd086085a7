"""L2_POOL_2D: sqrt(sum of squares / count) per window (TFLite ``reference_ops::L2Pool``).

``count`` is the number of window pixels inside the input (padding is not counted). Fused
activation applied afterwards.
"""

from edgelite.interpreter.kernels._conv_util import prepare_pool
from edgelite.interpreter.kernels.registry import kernel


@kernel("L2_POOL_2D", "float")
def prepare_l2_pool_2d(ctx):
    return prepare_pool(ctx, square=True)
