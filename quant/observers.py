"""Observers: what calibration records of each tensor, and the range each method picks.

``MinMax`` keeps the running extremes. ``Histogram`` bins values over a fixed range (the
min/max from a first calibration pass) and then chooses a clipping range by percentile, by
least expected quantization error (MSE) or by least KL divergence (entropy).
"""

from __future__ import annotations

import numpy as np

METHODS = ("minmax", "percentile", "mse", "entropy")


UNBOUNDED = (-np.inf, np.inf)  # the range of a tensor that took inf or NaN values


class MinMax:
    def __init__(self):
        self.lo, self.hi = np.inf, -np.inf
        self.finite = True  # no inf or NaN seen

    def observe(self, x: np.ndarray) -> None:
        if x.size:
            lo, hi = float(np.min(x)), float(np.max(x))  # NaN if any value is NaN
            self.finite = self.finite and np.isfinite(lo) and np.isfinite(hi)
            self.lo = min(self.lo, lo)
            self.hi = max(self.hi, hi)

    @property
    def seen(self) -> bool:
        return self.lo <= self.hi

    def range(self) -> tuple:
        if not self.finite:
            return UNBOUNDED
        return (self.lo, self.hi) if self.seen else (0.0, 0.0)


class Histogram:
    """Counts over [lo, hi] in ``bins`` equal bins (values outside land in the end bins)."""

    def __init__(self, lo: float, hi: float, bins: int = 2048):
        self.lo, self.hi = float(min(lo, 0.0)), float(max(hi, 0.0))
        if self.hi == self.lo:
            self.hi = self.lo + 1.0
        self.bins = bins
        self.counts = np.zeros(bins, np.int64)
        self.width = (self.hi - self.lo) / bins

    def observe(self, x: np.ndarray) -> None:
        idx = ((np.asarray(x, np.float64).reshape(-1) - self.lo) / self.width).astype(np.int64)
        np.clip(idx, 0, self.bins - 1, out=idx)
        self.counts += np.bincount(idx, minlength=self.bins)

    def centers(self) -> np.ndarray:
        return self.lo + (np.arange(self.bins) + 0.5) * self.width

    # -- range selection ------------------------------------------------------------------------
    def percentile(self, pct: float = 99.99) -> tuple:
        """Clip the tails holding (100 - pct)% of the values, split evenly between ends."""
        cdf = np.cumsum(self.counts) / max(self.counts.sum(), 1)
        tail = (100.0 - pct) / 200.0
        lo_bin = int(np.searchsorted(cdf, tail, side="right"))
        hi_bin = int(np.searchsorted(cdf, 1.0 - tail, side="left"))
        return self.lo + lo_bin * self.width, self.lo + (hi_bin + 1) * self.width

    def expected_error(self, lo: float, hi: float, levels: int = 255) -> float:
        """Expected squared error of quantizing the histogram with range [lo, hi]."""
        c, n = self.centers(), self.counts
        step = (hi - lo) / levels
        if step <= 0:
            return float(np.inf)
        clipped = np.clip(c, lo, hi)
        inside = (c >= lo) & (c <= hi)
        rounding = np.where(inside, step * step / 12.0, 0.0)
        return float(np.sum(n * ((c - clipped) ** 2 + rounding)))

    def mse(self, steps: int = 100, levels: int = 255) -> tuple:
        """Shrink the range toward zero (geometric steps down to 1%); keep the least error for
        a grid of ``levels`` steps (255 for int8, 65535 for int16)."""
        best, best_err = (self.lo, self.hi), self.expected_error(self.lo, self.hi, levels)
        for f in np.geomspace(1.0, 0.01, steps)[1:]:
            lo, hi = self.lo * f, self.hi * f
            err = self.expected_error(lo, hi, levels)
            if err < best_err:
                best, best_err = (lo, hi), err
        return best

    def entropy(self, levels: int = 128) -> tuple:
        """KL-divergence calibration (TensorRT-style) on the magnitudes' distribution."""
        mag = np.abs(self.centers())
        top = max(abs(self.lo), abs(self.hi))
        nb = self.bins
        hist = np.bincount(
            np.minimum((mag / top * nb).astype(np.int64), nb - 1), weights=self.counts, minlength=nb
        )
        best_t, best_kl = top, np.inf
        for i in range(levels, nb + 1, max(1, (nb - levels) // 128)):
            p = hist[:i].astype(np.float64).copy()
            p[-1] += hist[i:].sum()
            if p.sum() == 0:
                continue
            q = _spread(hist[:i], levels)
            kl = _kl(p, q)
            if kl < best_kl:
                best_kl, best_t = kl, top * i / nb
        return max(self.lo, -best_t), min(self.hi, best_t)

    def range(self, method: str, levels: int = 255) -> tuple:
        if method == "percentile":
            return self.percentile()
        if method == "mse":
            return self.mse(levels=levels)
        if method == "entropy":
            return self.entropy()
        return self.lo, self.hi


def _spread(p: np.ndarray, levels: int) -> np.ndarray:
    """Merge ``p`` into ``levels`` groups, then spread each group over its non-empty bins."""
    q = np.zeros(p.size, np.float64)
    edges = np.linspace(0, p.size, levels + 1).astype(np.int64)
    for a, b in zip(edges[:-1], edges[1:]):
        seg = p[a:b]
        nz = seg > 0
        if nz.any():
            q[a:b][nz] = seg.sum() / nz.sum()
    return q


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    p = p / p.sum()
    q = q / max(q.sum(), 1e-300)
    mask = p > 0
    if np.any(q[mask] == 0):
        return np.inf
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))
