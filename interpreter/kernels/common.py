"""Helpers shared by kernels: fused activations, SAME/VALID padding, broadcasting."""

from __future__ import annotations

import numpy as np


def apply_activation(x: np.ndarray, act) -> np.ndarray:
    """Apply a TFLite fused activation (by name) to float ``x`` in place; returns ``x``.

    TFLite's float kernels turn the fused activation into a clamp range
    (``CalculateActivationRange``): RELU, RELU6 and RELU_N1_TO_1 clamp, while TANH and SIGN_BIT
    map to the whole float range and so leave the values unchanged. We do the same.
    """
    if act in (None, "NONE", 0, "TANH", "SIGN_BIT"):
        return x
    if act == "RELU":
        np.maximum(x, 0, out=x)
    elif act == "RELU6":
        np.clip(x, 0, 6, out=x)
    elif act == "RELU_N1_TO_1":
        np.clip(x, -1, 1, out=x)
    else:
        raise ValueError(f"unknown fused activation {act!r}")
    return x


def activation_range(act) -> tuple:
    """(min, max) clamp of a fused activation, for kernels that clamp themselves."""
    return {
        None: (-np.inf, np.inf),
        "NONE": (-np.inf, np.inf),
        "RELU": (0.0, np.inf),
        "RELU6": (0.0, 6.0),
        "RELU_N1_TO_1": (-1.0, 1.0),
        "TANH": (-np.inf, np.inf),
        "SIGN_BIT": (-np.inf, np.inf),
    }[act]


def conv_output_size(size: int, k: int, stride: int, dilation: int, padding) -> int:
    """Output length along one spatial axis, as TFLite computes it."""
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        return (size + stride - 1) // stride
    if padding == "VALID":
        return (size - eff + stride) // stride
    raise ValueError(f"unknown padding {padding!r}")


def conv_padding(size: int, k: int, stride: int, dilation: int, padding) -> tuple:
    """(pad_before, pad_after) along one spatial axis; SAME puts the odd pixel after."""
    out = conv_output_size(size, k, stride, dilation, padding)
    eff = (k - 1) * dilation + 1
    total = max((out - 1) * stride + eff - size, 0)
    return total // 2, total - total // 2


def broadcast_shape(*shapes) -> tuple:
    """numpy broadcasting (TFLite's binary ops follow the same rule)."""
    return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
