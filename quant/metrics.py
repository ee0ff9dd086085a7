"""Error metrics between a float reference and a quantized result."""

from __future__ import annotations

import numpy as np


def sqnr_db(ref, test) -> float:
    """Signal-to-quantization-noise ratio in dB (inf when identical)."""
    ref = np.asarray(ref, np.float64).reshape(-1)
    noise = ref - np.asarray(test, np.float64).reshape(-1)
    signal_power, noise_power = float(ref @ ref), float(noise @ noise)
    if noise_power == 0.0:
        return float("inf")
    if signal_power == 0.0:
        return float("-inf")
    return 10.0 * np.log10(signal_power / noise_power)


def cosine(ref, test) -> float:
    a = np.asarray(ref, np.float64).reshape(-1)
    b = np.asarray(test, np.float64).reshape(-1)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0.0 or nb == 0.0:
        return 1.0 if na == nb else 0.0
    return float(a @ b / (na * nb))


def max_abs_error(ref, test) -> float:
    diff = np.asarray(ref, np.float64) - np.asarray(test, np.float64)
    return float(np.abs(diff).max(initial=0.0))


def summary(ref, test) -> dict:
    return {
        "sqnr_db": sqnr_db(ref, test),
        "cosine": cosine(ref, test),
        "max_abs_error": max_abs_error(ref, test),
    }
