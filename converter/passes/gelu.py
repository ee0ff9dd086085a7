"""GELU fusion: 0.5 * x * (1 + erf(x / sqrt 2)) and the tanh form
0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))), in any spelling, become one GELU op
(``approximate`` set for the tanh form)."""

from __future__ import annotations

import math

import numpy as np

from edgelite.converter.passes._pattern import fuse_function

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _gelu_exact(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def fuse_gelu(graph):
    return fuse_function(
        graph,
        [
            ("GELU", {"approximate": False}, _gelu_exact),
            ("GELU", {"approximate": True}, _gelu_tanh),
        ],
    )
