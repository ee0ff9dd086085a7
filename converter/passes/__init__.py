"""Graph -> Graph passes, one per module, and the default pipeline that runs them.

``run_passes`` applies a pipeline and records op counts before and after each pass, for
``edgelite convert`` to print (and ``--json`` to report).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from edgelite.converter.passes.activation import fuse_activations
from edgelite.converter.passes.batchnorm import fold_batch_norm
from edgelite.converter.passes.constant_folding import fold_constants
from edgelite.converter.passes.dce import eliminate_dead_code
from edgelite.converter.passes.flatten_fc import fold_flatten_transpose
from edgelite.converter.passes.fully_connected import matmul_to_fully_connected
from edgelite.converter.passes.gelu import fuse_gelu
from edgelite.converter.passes.hard_swish import fuse_hard_swish
from edgelite.converter.passes.identity import remove_identities
from edgelite.converter.passes.mean import pool_to_mean
from edgelite.converter.passes.pad_folding import fold_pad
from edgelite.converter.passes.reshape import collapse_reshapes
from edgelite.converter.passes.transpose import cancel_transposes
from edgelite.errors import MALFORMED, ConversionError, UsageError

PASSES = {
    "dead_code": eliminate_dead_code,
    "fold_constants": fold_constants,
    "remove_identities": remove_identities,
    "collapse_reshapes": collapse_reshapes,
    "cancel_transposes": cancel_transposes,
    "fold_flatten_transpose": fold_flatten_transpose,
    "fold_batch_norm": fold_batch_norm,
    "matmul_to_fully_connected": matmul_to_fully_connected,
    "fuse_gelu": fuse_gelu,
    "fuse_hard_swish": fuse_hard_swish,
    "fold_pad": fold_pad,
    "pool_to_mean": pool_to_mean,
    "fuse_activations": fuse_activations,
}

# Constants first (they expose shapes and identities), layout clean-up next, then the fusions
# that need clean chains; activations last, since most fusions want an op without one.
DEFAULT_PIPELINE = (
    "dead_code",
    "fold_constants",
    "remove_identities",
    "cancel_transposes",
    "collapse_reshapes",
    "remove_identities",
    "fold_batch_norm",
    "matmul_to_fully_connected",
    "fold_flatten_transpose",
    "fuse_gelu",
    "fuse_hard_swish",
    "fold_pad",
    "pool_to_mean",
    "fuse_activations",
    "dead_code",
)


@dataclass
class PassStat:
    name: str
    before: dict  # op type -> count
    after: dict
    ms: float

    @property
    def ops_before(self) -> int:
        return sum(self.before.values())

    @property
    def ops_after(self) -> int:
        return sum(self.after.values())

    def to_dict(self) -> dict:
        return {
            "pass": self.name,
            "ops_before": self.ops_before,
            "ops_after": self.ops_after,
            "before": self.before,
            "after": self.after,
            "ms": round(self.ms, 3),
        }


@dataclass
class PassReport:
    stats: list = field(default_factory=list)

    def changed(self) -> list:
        return [s for s in self.stats if s.before != s.after]


def pipeline(passes="default") -> list:
    """Pass names for ``passes``: "default", None/"none" (no passes) or a list of names."""
    if passes is None or passes == "none":
        return []
    if passes == "default":
        return list(DEFAULT_PIPELINE)
    names = list(passes)
    unknown = [n for n in names if n not in PASSES]
    if unknown:
        raise UsageError(f"unknown pass(es) {', '.join(unknown)}; known: {', '.join(PASSES)}")
    return names


def run_passes(graph, passes="default"):
    """(optimized graph, PassReport) after running the named pipeline."""
    report = PassReport()
    for name in pipeline(passes):
        before = graph.op_counts()
        t0 = time.perf_counter()
        try:
            graph = PASSES[name](graph)
        except MALFORMED as e:  # passes trust shapes and constants a corrupt file can break
            raise ConversionError(
                f"pass '{name}' failed: {type(e).__name__}: {e} (the graph is likely malformed)"
            ) from e
        report.stats.append(
            PassStat(name, before, graph.op_counts(), (time.perf_counter() - t0) * 1e3)
        )
    return graph, report


__all__ = ["DEFAULT_PIPELINE", "PASSES", "PassReport", "PassStat", "pipeline", "run_passes"]
