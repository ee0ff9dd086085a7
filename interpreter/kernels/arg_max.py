"""ARG_MAX: index of the largest value along one axis, first on ties (TFLite ``arg_min_max``).

The axis is a one-element int32/int64 tensor; ArgMaxOptions ``output_type`` picks int32 or int64.
"""

import numpy as np

from edgelite.interpreter.kernels._reduce import prepare_arg
from edgelite.interpreter.kernels.registry import kernel


@kernel("ARG_MAX", "float", "int32", "bool", "int8", "uint8")
def prepare_arg_max(ctx):
    return prepare_arg(ctx, np.argmax)
