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
# a float 1x1 conv's matmul and its bias/activation passes: fewer, larger BLAS calls beat
# keeping the block in cache (MobileNetV2 224's 1x1 convs 9.3 -> 8.0 ms from 32K; no gain
# measured beyond 256K)
MATMUL_BLOCK_ELEMENTS = 1 << 18
MIN_MATMUL_ROWS = 256  # a BLAS matmul on fewer pixels than this loses more than cache gains


def block_rows(win: Window, width: int, min_pixels: int = 1, elements: int = 0) -> int:
    """Output rows per block of about ``elements`` (default ``BLOCK_ELEMENTS``) values when
    each output pixel holds ``width`` values."""
    rows = (elements or BLOCK_ELEMENTS) // max(1, win.ow * width)
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

    With ``phased`` each row is laid out as sw phases, phase p holding the padded columns
    p, p + sw, p + 2 sw, ... (with stride 1 that is the plain row): every kernel tap then
    reads one contiguous sweep of OW pixels per row, whatever the stride (``sweeps``).
    """

    def __init__(
        self, ctx, win: Window, rows: int, fill=0.0, repeat: int = 1, dtype=None, phased=False
    ):
        self.win, self.fill, self.repeat = win, fill, repeat
        self.phases = win.sw if phased else 1
        self.span = (rows - 1) * win.sh + (win.kh - 1) * win.dh + 1
        self.starts, cols, self.copies = row_layout(win, self.phases)
        self.pads = uncovered(cols, self.copies)
        shape = (self.span, cols, win.c * repeat)
        self.scratch = scratch_array(ctx, "rows.input", shape, dtype or np.float32)
        self.buf = None
        self._targets = []
        self._views = {}

    def _resolve(self) -> None:
        self.buf = self.scratch.get()
        c, rep = self.win.c, self.repeat
        self._targets = [
            self.buf[:, d : d + n].reshape(self.span, n, c, rep) for d, n, _, _ in self.copies
        ]

    def load(self, x: np.ndarray, b: int, r: int, k: int) -> np.ndarray:
        """The buffer rows for output rows [r, r + k) of batch ``b``, filled from ``x``."""
        win = self.win
        if self.buf is None:
            self._resolve()
        i0 = r * win.sh - win.pad_t
        i1 = i0 + (k - 1) * win.sh + (win.kh - 1) * win.dh + 1
        a0, a1 = max(i0, 0), min(i1, win.h)
        if r == 0 and k == win.oh:  # one block: one fill (small tensors pay per numpy call)
            self.buf[: i1 - i0].fill(self.fill)
        else:
            if r == 0:  # the left/right padding, for every block of this batch
                for d0, d1 in self.pads:
                    self.buf[:, d0:d1].fill(self.fill)
            if a0 > i0:
                self.buf[: min(a0, i1) - i0].fill(self.fill)
            if a1 < i1:
                self.buf[max(a1, i0) - i0 : i1 - i0].fill(self.fill)
        if a1 > a0:
            for target, (_, n, s0, step) in zip(self._targets, self.copies):
                src = x[b, a0:a1, s0 : s0 + step * (n - 1) + 1 : step, :, None]
                target[a0 - i0 : a1 - i0] = src
        return self.buf[: i1 - i0]

    def windows(self, k: int) -> np.ndarray:
        """``window_rows`` of the buffer for a block of k rows, made once per k: the buffer
        never moves, and building strided views costs more than small blocks' arithmetic."""
        if self.phases > 1:
            raise ValueError("windows need the plain row layout")
        return self._view("windows", k, lambda: window_rows(self.buf, self.win, k))

    def sweeps(self, k: int) -> list:
        """Per group of ``tap_groups``: what its taps read for a block of k output rows, a
        read-only (k, KH, taps, OW * C) view of contiguous row sweeps."""

        def make():
            return [tap_sweeps(self.buf, self.win, k, self.starts[p] + first, len(cols), step)
                    for p, cols, first, step in tap_groups(self.win, self.phases)]  # fmt: skip

        return self._view("sweeps", k, make)

    def _view(self, name: str, k: int, make):
        view = self._views.get((name, k))
        if view is None:
            view = self._views[name, k] = make()
        return view


def row_layout(win: Window, phases: int) -> tuple:
    """(first buffer column of each phase, columns per row, copies) of a row laid out in
    ``phases`` phases; each copy is (first buffer column, columns, first input column,
    input step): the pixels of a phase that lie inside the input."""
    width = win.pad_l + win.w + win.pad_r
    starts, copies, at = [], [], 0
    for p in range(phases):
        count = -(-(width - p) // phases)
        i0 = max(0, -(-(win.pad_l - p) // phases))  # first padded column p + i * phases inside
        i1 = min(count, -(-(win.pad_l + win.w - p) // phases))
        if i1 > i0:
            copies.append((at + i0, i1 - i0, p + i0 * phases - win.pad_l, phases))
        starts.append(at)
        at += count
    return starts, at, copies


def tap_groups(win: Window, phases: int) -> list:
    """The kernel columns grouped by the phase they read (with stride sw and dilation dw,
    column j reads phase j * dw mod sw from pixel j * dw // sw on): per group (phase, its
    columns, the first one's first pixel, pixels between the columns' first pixels), the
    columns evenly spaced (j0, j0 + sw / gcd(sw, dw), ...) and so their first pixels."""
    groups = []
    for p in range(phases):
        cols = [j for j in range(win.kw) if j * win.dw % phases == p]
        if cols:
            firsts = [j * win.dw // phases for j in cols]
            step = firsts[1] - firsts[0] if len(cols) > 1 else 1
            groups.append((p, cols, firsts[0], step))
    return groups


def uncovered(cols: int, copies: list) -> list:
    """The [start, end) column ranges of a row that no copy writes: the padding."""
    gaps, at = [], 0
    for d, n, _, _ in sorted(copies):
        if d > at:
            gaps.append((at, d))
        at = max(at, d + n)
    if at < cols:
        gaps.append((at, cols))
    return gaps


def window_rows(xb: np.ndarray, win: Window, k: int) -> np.ndarray:
    """Every window of a block as a read-only (k, OW, KH, KW, C) view."""
    s = xb.strides
    shape = (k, win.ow, win.kh, win.kw, xb.shape[2])
    strides = (s[0] * win.sh, s[1] * win.sw, s[0] * win.dh, s[1] * win.dw, s[2])
    return as_strided(xb, shape, strides, writeable=False)


def tap_sweeps(xb, win: Window, k: int, start: int, taps: int, step: int) -> np.ndarray:
    """What ``taps`` kernel columns, ``step`` pixels apart from pixel ``start`` of the
    buffer's rows, read for a block of k output rows: a read-only (k, KH, taps, OW * C) view
    of contiguous row sweeps, so a sum over the taps runs along whole rows (long vector
    loops) rather than along the channels."""
    s = xb.strides
    shape = (k, win.kh, taps, win.ow * xb.shape[2])
    strides = (s[0] * win.sh, s[0] * win.dh, s[1] * step, s[2])
    return as_strided(xb[:, start:], shape, strides, writeable=False)
