"""Activation memory plan: one arena, tensors placed by size over their lifetimes.

Greedy by size (as TFLite Micro's planner does): the largest tensor is placed first at the
lowest offset that does not overlap, in time and space, any tensor already placed. Tensors whose
lifetimes do not overlap share memory.
"""

from __future__ import annotations

from dataclasses import dataclass

ALIGN = 64  # bytes; keeps every tensor aligned for SIMD loads in numpy


@dataclass
class Block:
    key: int  # tensor index
    size: int  # bytes
    first: int  # first step it must hold its value
    last: int  # last step it must hold its value
    offset: int = 0


def _aligned(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def plan(blocks: list) -> int:
    """Assign ``offset`` to every block; return the arena size in bytes."""
    placed: list = []
    order = sorted(blocks, key=lambda b: (-b.size, b.first, b.key))
    for b in order:
        live = sorted(
            (p for p in placed if p.first <= b.last and b.first <= p.last),
            key=lambda p: p.offset,
        )
        offset = 0
        for p in live:
            if offset + _aligned(b.size) <= p.offset:
                break
            offset = max(offset, p.offset + _aligned(p.size))
        b.offset = offset
        placed.append(b)
    return max((b.offset + _aligned(b.size) for b in blocks), default=0)
