"""UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite's ``unidirectional_sequence_lstm.cc`` with
``lstm_eval.cc``'s ``EvalFloat`` (float32) and ``EvalHybrid`` (int8 weights, float activations).

Inputs (24; 20 in old models without layer norm; -1 marks an omitted optional one): input;
input-to-{input,forget,cell,output} weights; recurrent-to-{...} weights (full [cell, output] or
diagonal [cell]); peephole cell-to-{input,forget,output} weights; the four gate biases;
projection weights and bias; output_state and cell_state; {input,forget,cell,output} layer-norm
coefficients. Without input-to-input weights the LSTM is CIFG (input gate = 1 - forget gate).
The input is [time, batch, in] with ``time_major``, else [batch, time, in]; the output has the
same layout with ``out`` features. The states are variable tensors that this kernel updates in
place, so the state carries over from one invoke to the next (``reset_all_variables`` restores
the initial value the file stores, zero when none).

The hybrid variant quantizes every input row and output-state row (and the projection's input)
to int8 on the fly, symmetric or, with ``asymmetric_quantize_inputs``, asymmetric (the zero
point's share leaves with the rows' zero-point shift), sums integer products exactly in float
BLAS and scales them by row factor x weight scale, as TFLite's hybrid
``MatrixBatchVectorMultiplyAccumulate``. TFLite reads one scale per weight tensor, so
per-channel weights are refused. Integer LSTMs (int8/int16 activations) have no kernel here.
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.kernels._lstm import (
    CELL_STATE,
    F32,
    IN_W,
    OUT_STATE,
    PEEP,
    PROJ_B,
    PROJ_W,
    REC_W,
    ROLES,
    Cell,
    check,
    diagonal,
    stack_rows,
    stale_rows,
)
from edgelite.interpreter.kernels._qconv import (
    acc_dtype,
    asymmetric_quantize,
    check_symmetric,
    symmetric_quantize,
)
from edgelite.interpreter.kernels.registry import kernel

STATE = (0, OUT_STATE, CELL_STATE)  # the inputs that are not weights


@kernel("UNIDIRECTIONAL_SEQUENCE_LSTM", "float", stateful=True)
def prepare_lstm(ctx):
    lstm = check(ctx, F32)
    return _runner(ctx, lambda arrays: Weights(lstm, arrays, FloatMatrix))


@kernel("UNIDIRECTIONAL_SEQUENCE_LSTM", "hybrid", stateful=True)
def prepare_lstm_hybrid(ctx):
    lstm = check(ctx, np.int8)
    scale = _weight_scales(ctx)
    asymmetric = bool(ctx.opt("asymmetric_quantize_inputs", False))

    def build(arrays):
        arrays = list(arrays)
        for i in PEEP.values():  # TFLite "recovers" int8 peephole weights to float
            if arrays[i] is not None:
                arrays[i] = np.asarray(arrays[i], F32) * scale[i]

        def matrix(rows, scales):
            return HybridMatrix(rows, scales, asymmetric)

        return Weights(lstm, arrays, matrix, scale)

    return _runner(ctx, build)


def _weight_scales(ctx) -> dict:
    """Input index -> the float32 scale of each int8 tensor (symmetric, one scale each)."""
    out = {}
    for i, t in enumerate(ctx.inputs):
        if t is None or i in STATE or np.dtype(t.dtype) != np.int8:
            continue
        q = t.quant
        if q is None or q.scale.size == 0:
            raise ctx.error(f"{ROLES[i]} '{t.name}' is int8 without a quantization scale")
        if q.scale.size != 1:
            raise ctx.error(
                f"{ROLES[i]} '{t.name}' has {q.scale.size} scales; TFLite's hybrid LSTM reads "
                "one scale per weight tensor (quantize it per-tensor)"
            )
        check_symmetric(ctx, t, f"{ROLES[i]} '{t.name}'")
        out[i] = F32(q.scale[0])
    return out


def _runner(ctx, build):
    """``run``, with the weights packed once when they are constant, else at every invoke."""
    weights = [t for i, t in enumerate(ctx.inputs) if t is not None and i not in STATE]
    fixed = all(t.data is not None for t in weights)
    packed = build([None if t is None else t.data for t in ctx.inputs]) if fixed else None

    def run(ins, outs):
        w = packed if packed is not None else build(ins)
        w.sequence(ins[0], ins[OUT_STATE], ins[CELL_STATE], outs[0])

    return run


class FloatMatrix:
    """rows @ W.T for the gates' float weights stacked by rows."""

    def __init__(self, rows, scales=None):
        self.wt = np.ascontiguousarray(np.concatenate(rows).astype(F32).T)

    def __call__(self, x):
        return x @ self.wt


class HybridMatrix:
    """TFLite's hybrid product: each row of ``x`` quantized (BatchQuantizeFloats), exact
    integer dot products, times (row factor x weight scale) computed in float32."""

    def __init__(self, rows, scales, asymmetric: bool):
        w = np.concatenate(rows)
        self.asymmetric = asymmetric
        dtype = acc_dtype(w.shape[1], 255 if asymmetric else 127, 128)
        self.wt = np.ascontiguousarray(w.T.astype(dtype))
        self.scales = scales  # one per column (output unit)

    def __call__(self, x):
        if self.asymmetric:
            q, factors, _ = asymmetric_quantize(x)  # minus the zero points
        else:
            q, factors = symmetric_quantize(x)
        acc = (q.astype(self.wt.dtype) @ self.wt).astype(F32)
        return acc * (factors[:, None] * self.scales[None, :])


class Weights:
    """The packed op: gate matrices side by side, the cell math, and the time loop.

    ``matrix(rows, column_scales)`` builds one product (FloatMatrix or HybridMatrix);
    ``scale`` maps input index -> int8 weight scale for the hybrid kernel, None for float.
    """

    def __init__(self, lstm, arrays, matrix, scale=None):
        self.lstm = lstm
        self.hybrid = scale is not None
        n = lstm.n_cell
        scale = scale or {}

        def stacked(index, diag=False):
            rows = stack_rows(lstm, arrays, index, diag)
            cols = [np.full(n, scale.get(index[g], 1), F32) for g in lstm.gates]
            return matrix(rows, np.concatenate(cols))

        self.wx = stacked(IN_W)
        self.wh = None if all(lstm.diag) else stacked(REC_W, True)
        self.diag = diagonal(lstm, arrays)
        self.cell = Cell(lstm, arrays)
        self.bias = None if lstm.layer_norm else self.cell.bias
        self.proj = None
        if lstm.projection:
            cols = np.full(lstm.n_output, scale.get(PROJ_W, 1), F32)
            self.proj = matrix([arrays[PROJ_W]], cols)
        b = arrays[PROJ_B]
        self.proj_bias = None if b is None else np.asarray(b, F32)

    def sequence(self, x, h_state, c_state, out) -> None:
        """EvalFloat / EvalHybrid: every step over the whole batch, states updated in place."""
        lstm = self.lstm
        h = h_state.reshape(lstm.batch, lstm.n_output)
        c = c_state.reshape(lstm.batch, lstm.n_cell)
        # the input terms do not depend on the state: every step's at once
        pre = self.wx(x.reshape(-1, lstm.n_input)).reshape(*x.shape[:2], -1)
        if self.bias is not None:
            pre += self.bias
        if not lstm.time_major:
            pre, x, out = (a.swapaxes(0, 1) for a in (pre, x, out))
        for t in range(x.shape[0]):
            z = pre[t] if self.wh is None else pre[t] + self.wh(h)
            if self.diag is not None:
                z = z + self.diag * np.tile(h, len(lstm.gates))
            stale = None if self.hybrid else stale_rows(lstm, x[t])
            h[...] = self.project(self.cell(z, c, stale))
            out[t] = h

    def project(self, m):
        if self.proj is None:
            return m
        y = self.proj(m)
        if self.proj_bias is not None:
            y += self.proj_bias
        clip = self.lstm.proj_clip
        if clip > 0:
            np.clip(y, -F32(clip), F32(clip), out=y)
        return y
