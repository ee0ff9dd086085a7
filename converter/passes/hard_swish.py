"""HARD_SWISH fusion: x * relu6(x + 3) / 6 in any spelling (MUL by 1/6 or DIV by 6, RELU6 or a
MINIMUM/MAXIMUM clamp, x * hard_sigmoid(x), ...) becomes one HARD_SWISH op."""

from __future__ import annotations

import numpy as np

from edgelite.converter.passes._pattern import fuse_function


def _hard_swish(x):
    return x * np.clip(x + 3.0, 0.0, 6.0) / 6.0


def fuse_hard_swish(graph):
    return fuse_function(graph, [("HARD_SWISH", {}, _hard_swish)])
