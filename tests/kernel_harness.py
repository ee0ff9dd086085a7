"""Run one kernel in isolation (no model file): for kernel unit tests."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from edgelite.interpreter.kernels import lookup
from edgelite.interpreter.kernels.context import OpContext, QuantInfo, TensorInfo
from edgelite.interpreter.kernels.registry import family_of


def run_kernel(
    op, inputs, options=None, const=(), out_dtypes=(np.float32,), quant=None, family=None, version=1
):
    """Prepare and run ``op`` on ``inputs`` (arrays or None); returns the list of outputs.

    ``options`` is a dict of the op's option fields (enum fields by name, e.g. "SAME");
    inputs whose positions are in ``const`` are given to prepare as constant data (weights);
    ``quant`` maps "in0"/"out0"/... to (scale, zero_point[, axis]).
    """
    quant = quant or {}

    def qinfo(key):
        if key not in quant:
            return None
        q = quant[key]
        return QuantInfo(
            np.atleast_1d(np.asarray(q[0], np.float32)),
            np.atleast_1d(np.asarray(q[1], np.int64)),
            q[2] if len(q) > 2 else 0,
        )

    infos = []
    for i, x in enumerate(inputs):
        if x is None:
            infos.append(None)
            continue
        x = np.asarray(x)
        infos.append(
            TensorInfo(i, f"in{i}", x.shape, x.dtype, x if i in const else None, qinfo(f"in{i}"))
        )
    outs = [
        TensorInfo(100 + j, f"out{j}", (), np.dtype(dt), None, qinfo(f"out{j}"))
        for j, dt in enumerate(out_dtypes)
    ]
    opts = None if options is None else SimpleNamespace(**options)
    ctx = OpContext(op, version, opts, infos, outs, location=f"test {op}")
    fam = family or family_of(ctx)
    spec = lookup(op, fam)
    assert spec is not None, f"no kernel for {op}/{fam}"
    run = spec.prepare(ctx)
    arrays = [np.zeros(o.shape, o.dtype) if o.data is None else o.data for o in outs]
    if all(o.data is not None for o in outs) and run is None:
        return arrays
    with np.errstate(all="ignore"):  # as the interpreter runs kernels
        run([None if x is None else np.asarray(x) for x in inputs], arrays)
    return arrays
