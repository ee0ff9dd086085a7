"""ARG_MIN: index of the smallest value along one axis, first on ties (TFLite ``arg_min_max``).

The axis is a one-element int32/int64 tensor; ArgMinOptions ``output_type`` picks int32 or int64.
"""

import numpy as np

from edgelite.interpreter.kernels._reduce import prepare_arg
from edgelite.interpreter.kernels.registry import kernel


@kernel("ARG_MIN", "float", "int32", "bool", "int8", "uint8")
def prepare_arg_min(ctx):
    return prepare_arg(ctx, np.argmin)
