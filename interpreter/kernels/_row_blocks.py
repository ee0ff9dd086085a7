"""Conv-like layers a block of output rows at a time.

A whole-tensor pipeline (pad the input, accumulate, add the bias or requantize) streams every
intermediate through main memory several times. Working on a few output rows at a time keeps
the padded input rows, the accumulators and the requantization's temporaries in the CPU's
cache, which measured ~2x faster on the depthwise and first layers of MobileNetV2.
``InputRows`` copies (and casts) the input rows a block reads into a small padded buffer;
the tap and window views below index that buffer.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from edgelite.interpreter.kernels._conv_util import Window
from edgelite.interpreter.scratch import scratch_array

BLOCK_ELEMENTS = 1 << 15  # accumulators per block: fits the L2 cache with its temporaries
MIN_MATMUL_ROWS = 256  # a BLAS matmul on fewer pixels than this loses more than cache gains


def block_rows(win: Window, width: int, min_pixels: int = 1) -> int:
    """Output rows per block when each output pixel holds ``width`` values."""
    rows = BLOCK_ELEMENTS // max(1, win.ow * width)
    rows = max(rows, -(-min_pixels // win.ow), 1)
    return min(rows, win.oh)


def blocks(win: Window, rows: int):
    """(batch, first output row, row count) of every block, in order."""
    for b in range(win.n):
        for r in range(0, win.oh, rows):
            yield b, r, min(rows, win.oh - r)


class InputRows:
    """The padded input rows under a block of output rows, in the accumulation dtype.

    One buffer (from the subgraph's shared scratch) holds the rows with the left/right
    padding, filled with ``fill`` at the first block of every batch (another kernel may have
    used the buffer since); rows above or below the input are refilled when a block reaches
    them. ``repeat`` > 1 writes each input channel that many times in a row (the depthwise
    multiplier). Integer kernels fill with the input zero point.
    """

    def __init__(self, ctx, win: Window, rows: int, fill=0.0, repeat: int = 1, dtype=None):
        self.win, self.fill, self.repeat = win, fill, repeat
        span = (rows - 1) * win.sh + (win.kh - 1) * win.dh + 1
        width = win.w + win.pad_l + win.pad_r
        shape = (span, width, win.c * repeat)
        self.scratch = scratch_array(ctx, "rows.input", shape, dtype or np.float32)
        self.buf = self.inner = None
        self._views = {}

    def _resolve(self) -> None:
        win = self.win
        self.buf = self.scratch.get()
        inner = self.buf[:, win.pad_l : win.pad_l + win.w]
        self.inner = inner.reshape(*inner.shape[:2], win.c, self.repeat)

    def load(self, x: np.ndarray, b: int, r: int, k: int) -> np.ndarray:
        """The buffer rows for output rows [r, r + k) of batch ``b``, filled from ``x``."""
        win = self.win
        if self.buf is None:
            self._resolve()
        if r == 0:  # the left/right padding, for every block of this batch
            self.buf[:, : win.pad_l].fill(self.fill)
            self.buf[:, win.pad_l + win.w :].fill(self.fill)
        i0 = r * win.sh - win.pad_t
        i1 = i0 + (k - 1) * win.sh + (win.kh - 1) * win.dh + 1
        a0, a1 = max(i0, 0), min(i1, win.h)
        if a0 > i0:
            self.buf[: min(a0, i1) - i0].fill(self.fill)
        if a1 < i1:
            self.buf[max(a1, i0) - i0 : i1 - i0].fill(self.fill)
        if a1 > a0:
            self.inner[a0 - i0 : a1 - i0] = x[b, a0:a1, :, :, None]
        return self.buf[: i1 - i0]

    def windows(self, k: int) -> np.ndarray:
        """``window_rows`` of the buffer for a block of k rows, made once per k: the buffer
        never moves, and building strided views costs more than small blocks' arithmetic."""
        return self._view(window_rows, k)

    def tap_sweeps(self, k: int) -> np.ndarray:
        """``tap_sweeps`` of the buffer for a block of k rows (stride 1 along the width)."""
        return self._view(tap_sweeps, k)

    def _view(self, make, k: int) -> np.ndarray:
        view = self._views.get((make, k))
        if view is None:
            view = self._views[make, k] = make(self.buf, self.win, k)
        return view


def tap_rows(xb: np.ndarray, win: Window, i: int, j: int, k: int) -> np.ndarray:
    """The (k, OW, C) pixels kernel tap (i, j) reads for a block of k output rows."""
    r0, c0 = i * win.dh, j * win.dw
    return xb[r0 : r0 + win.sh * (k - 1) + 1 : win.sh,
              c0 : c0 + win.sw * (win.ow - 1) + 1 : win.sw]  # fmt: skip


def window_rows(xb: np.ndarray, win: Window, k: int) -> np.ndarray:
    """Every window of a block as a read-only (k, OW, KH, KW, C) view."""
    s = xb.strides
    shape = (k, win.ow, win.kh, win.kw, xb.shape[2])
    strides = (s[0] * win.sh, s[1] * win.sw, s[0] * win.dh, s[1] * win.dw, s[2])
    return as_strided(xb, shape, strides, writeable=False)


def tap_sweeps(xb: np.ndarray, win: Window, k: int) -> np.ndarray:
    """With stride 1 along the width, what each kernel tap reads for a block of k output
    rows as one contiguous sweep per row: a read-only (k, KH, KW, OW * C) view, so a sum over
    the taps runs along whole rows (long vector loops) rather than along the channels."""
    if win.sw != 1:
        raise ValueError("tap sweeps need stride 1 along the width")
    s = xb.strides
    shape = (k, win.kh, win.kw, win.ow * xb.shape[2])
    strides = (s[0] * win.sh, s[0] * win.dh, s[1] * win.dw, s[2])
    return as_strided(xb, shape, strides, writeable=False)
