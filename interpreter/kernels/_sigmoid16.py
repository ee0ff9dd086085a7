"""int16 LOGISTIC and TANH as TFLite's reference kernels compute them (``integer_ops/logistic.h``,
``integer_ops/tanh.h``).

The input is rescaled to a fixed point where 2**12 * 3 represents 1.0 (a power-of-two input
scale of 2**-12 (or 2**-11 for TANH) uses the multiplier 3 << shift directly; any other scale
gets an integer multiplier found by doubling scale * 3 * 4096 until it exceeds 32767 / 2), then
sigmoid is read from a 256-entry table of sigmoid(i / 24) in 0.16 format with linear
interpolation on the remaining bits; tanh uses tanh(x) = 2 * sigmoid(2x) - 1 on the same table.
Output scale is 2**-15.
"""

from __future__ import annotations

import numpy as np

# TFLite's sigmoid_table_uint16: sigmoid(i / 24) * 65536 in 0.16 fixed point, as published.
# fmt: off
SIGMOID_TABLE = np.array([
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
], np.int64)
# fmt: on


def input_rescale(scale, pot_shifts) -> tuple:
    """(multiplier, right shift) taking int16 inputs to the table's fixed point."""
    lg = float(np.log(np.float32(scale)) * np.float32(1.0 / np.log(np.float32(2.0))))
    r = int(np.trunc(lg + np.copysign(0.5, lg)))
    shift = 12 + r
    if abs(lg - r) < 1e-3 and shift in pot_shifts:
        return 3 << shift, 0
    multiplier = float(scale) * 4096.0 * 3.0
    shift = 0
    while multiplier <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        multiplier *= 2.0
    return int(multiplier), shift


def _rescaled(x, multiplier: int, shift: int):
    rounding = (1 << (shift - 1)) if shift > 0 else 0
    return (np.asarray(x, np.int64) * multiplier + rounding) >> shift


def _interpolate(a, frac_bits: int, saturated: int):
    uh = a >> frac_bits
    idx = np.minimum(uh, 254)
    ua, ub = SIGMOID_TABLE[idx], SIGMOID_TABLE[idx + 1]
    frac = a & ((1 << frac_bits) - 1)
    return np.where(uh >= 255, saturated, (ua << frac_bits) + frac * (ub - ua))


def logistic16(x, multiplier: int, shift: int) -> np.ndarray:
    v = _rescaled(x, multiplier, shift)
    r = _interpolate(np.abs(v), 9, 0x7FFF << 10)
    r = np.where(v >= 0, r + (1 << 9), (1 << 25) - r + (1 << 9) - 1)
    return (r & 0xFFFFFFFF) >> 10  # unsigned 32-bit arithmetic in the reference


def tanh16(x, multiplier: int, shift: int) -> np.ndarray:
    v = _rescaled(x, multiplier, shift)
    r = _interpolate(np.abs(v), 8, 0xFFFF << 8)
    r = np.where(v >= 0, r - (1 << 23) + (1 << 7), -r + (1 << 23) + (1 << 7) - 1)
    return r >> 8
