"""UNIDIRECTIONAL_SEQUENCE_LSTM's checks and cell math, shared by its float and hybrid kernels.

Mirrors TFLite's ``unidirectional_sequence_lstm.cc`` (Prepare, CheckInputTensorDimensions)
and ``lstm_eval.cc`` (LstmStepFloat / LstmStepHybrid): gates i, f, g, o from input, recurrent
(full or diagonal) and peephole terms, optional layer norm, c = clip(f*c + i*g) (CIFG: i = 1-f),
h = proj(o * act(c)) clipped. The gate weights are packed side by side (gate order of
``Lstm.gates``) so one matmul serves every gate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

F32 = np.float32
GATES = ("input", "forget", "cell", "output")
ROLES = (
    "input",
    *(f"input_to_{g}_weights" for g in GATES),
    *(f"recurrent_to_{g}_weights" for g in GATES),
    *(f"cell_to_{g}_weights" for g in ("input", "forget", "output")),
    *(f"{g}_gate_bias" for g in GATES),
    "projection_weights",
    "projection_bias",
    "output_state",
    "cell_state",
    *(f"{g}_layer_norm_coefficients" for g in GATES),
)
IN_W, REC_W, BIAS, LN = (dict(zip(GATES, range(k, k + 4))) for k in (1, 5, 12, 20))
PEEP = {"input": 9, "forget": 10, "output": 11}
PROJ_W, PROJ_B, OUT_STATE, CELL_STATE = 16, 17, 18, 19
REQUIRED = (0, 2, 3, 4, 6, 7, 8, 13, 14, 15, 18, 19)


def _relu(x):
    return np.maximum(x, F32(0))


def _clamp(lo, hi):
    return lambda x: np.clip(x, F32(lo), F32(hi))


ACTIVATIONS = {
    "TANH": np.tanh,
    "RELU": _relu,
    "RELU6": _clamp(0, 6),
    "RELU_N1_TO_1": _clamp(-1, 1),
    "SIGN_BIT": lambda x: np.signbit(x).astype(F32),
    "NONE": None,  # TFLite's ApplyActivationToVector leaves its destination untouched
}


@dataclass
class Lstm:
    """What prepare learned about one op."""

    time_major: bool
    batch: int
    n_input: int
    n_cell: int
    n_output: int
    gates: tuple  # gates with weights: CIFG has no "input"
    diag: tuple  # per gate: recurrent weights are a diagonal [n_cell]
    peephole: bool
    layer_norm: bool
    projection: bool
    act: str
    cell_clip: float
    proj_clip: float


def check(ctx, weight_dtype) -> Lstm:
    """TFLite's Prepare checks; sets the output shape ([time, batch, out] or [batch, time, out])."""
    n_in = len(ctx.inputs)
    if n_in not in (20, 24) or len(ctx.outputs) != 1:
        raise ctx.error(f"expects 20 or 24 inputs and 1 output, got {n_in} and {len(ctx.outputs)}")
    for i in REQUIRED:
        if ctx.inputs[i] is None:
            raise ctx.error(f"required input {i} ({ROLES[i]}) is missing")
    x = ctx.inputs[0]
    if len(x.shape) != 3:
        raise ctx.error(f"input '{x.name}' must be 3-D, got shape {x.shape}")
    time_major = bool(ctx.opt("time_major", False))
    batch, n_input = int(x.shape[1 if time_major else 0]), int(x.shape[2])
    n_cell = int(_shape(ctx, 4, 2)[0])
    rec_out = _shape(ctx, 8, 1, 2)
    n_output = int(rec_out[-1])
    cifg = ctx.inputs[IN_W["input"]] is None
    if cifg != (ctx.inputs[REC_W["input"]] is None):
        raise ctx.error("input_to_input_weights and recurrent_to_input_weights: both or neither")
    gates = GATES[1:] if cifg else GATES
    diag = tuple(_check_gate(ctx, g, n_cell, n_input, n_output, weight_dtype) for g in gates)
    peephole = _check_peephole(ctx, cifg, n_cell, weight_dtype)
    projection = _check_projection(ctx, n_cell, n_output, weight_dtype)
    layer_norm = n_in == 24 and ctx.inputs[LN["forget"]] is not None
    if layer_norm:
        for g in gates:
            _check_vector(ctx, LN[g], n_cell)
        if cifg and ctx.inputs[LN["input"]] is not None:
            raise ctx.error("a CIFG LSTM (no input gate) takes no input_layer_norm_coefficients")
    _check_state(ctx, OUT_STATE, batch * n_output)
    _check_state(ctx, CELL_STATE, batch * n_cell)
    act = ctx.opt("fused_activation_function", "NONE") or "NONE"
    if act not in ACTIVATIONS:
        raise ctx.error(f"unsupported fused activation {act!r}")
    clips = [float(ctx.opt(k, 0.0) or 0.0) for k in ("cell_clip", "proj_clip")]
    if min(clips) < 0:
        raise ctx.error(f"cell_clip and proj_clip must be >= 0 (0: no clipping), got {clips}")
    ctx.set_output(0, (*x.shape[:2], n_output), F32)
    return Lstm(time_major, batch, n_input, n_cell, n_output, gates, diag, peephole,
                layer_norm, projection, act, *clips)  # fmt: skip


def _shape(ctx, i: int, *ranks) -> tuple:
    t = ctx.inputs[i]
    if len(t.shape) not in ranks:
        raise ctx.error(f"{ROLES[i]} '{t.name}' must be {ranks[-1]}-D, got shape {t.shape}")
    return tuple(int(d) for d in t.shape)


def _expect(ctx, i: int, want: tuple, dtype=F32) -> None:
    t = ctx.inputs[i]
    if tuple(t.shape) != want:
        raise ctx.error(f"{ROLES[i]} '{t.name}' has shape {tuple(t.shape)}, expected {want}")
    if np.dtype(t.dtype) != np.dtype(dtype):
        raise ctx.error(f"{ROLES[i]} '{t.name}' is {np.dtype(t.dtype)}, expected {dtype.__name__}")


def _check_gate(ctx, gate, n_cell, n_input, n_output, weight_dtype) -> bool:
    """Checks one gate's input weights, recurrent weights and bias; True if the recurrent
    weights are diagonal (1-D [n_cell], float in both variants, as TFLite reads them)."""
    _expect(ctx, IN_W[gate], (n_cell, n_input), weight_dtype)
    _expect(ctx, BIAS[gate], (n_cell,))
    rec = ctx.inputs[REC_W[gate]]
    if len(rec.shape) == 1:
        if n_output != n_cell:
            raise ctx.error(f"diagonal {ROLES[REC_W[gate]]} needs output size = cells ({n_cell})")
        _expect(ctx, REC_W[gate], (n_cell,))
        return True
    _expect(ctx, REC_W[gate], (n_cell, n_output), weight_dtype)
    return False


def _check_vector(ctx, i: int, n: int, dtype=F32) -> None:
    if ctx.inputs[i] is None:
        raise ctx.error(f"input {i} ({ROLES[i]}) is missing")
    _expect(ctx, i, (n,), dtype)


def _check_peephole(ctx, cifg: bool, n_cell: int, weight_dtype) -> bool:
    present = [ctx.inputs[PEEP[g]] is not None for g in ("input", "forget", "output")]
    if not any(present):
        return False
    if not all(present[1:]) or not (cifg or present[0]):
        raise ctx.error(
            "peephole weights (cell_to_*_weights) must be all present (no cell_to_input_weights "
            "in a CIFG LSTM) or all absent"
        )
    for i in PEEP.values():
        if ctx.inputs[i] is not None:
            _expect(ctx, i, (n_cell,), weight_dtype)
    return True


def _check_projection(ctx, n_cell: int, n_output: int, weight_dtype) -> bool:
    w, b = ctx.inputs[PROJ_W], ctx.inputs[PROJ_B]
    if w is None:
        if b is not None:
            raise ctx.error(f"projection_bias '{b.name}' given without projection_weights")
        if n_output != n_cell:  # TFLite would copy n_output of the n_cell values
            raise ctx.error(
                f"without projection_weights the output size ({n_output}, from the recurrent "
                f"weights) must equal the number of cells ({n_cell})"
            )
        return False
    _expect(ctx, PROJ_W, (n_output, n_cell), weight_dtype)
    if b is not None:
        _expect(ctx, PROJ_B, (n_output,))
    return True


def _check_state(ctx, i: int, size: int) -> None:
    t = ctx.inputs[i]
    if not t.is_variable:
        raise ctx.error(f"{ROLES[i]} '{t.name}' must be a variable tensor (it holds the state)")
    if np.dtype(t.dtype) != F32 or int(np.prod(t.shape, dtype=np.int64)) != size:
        raise ctx.error(
            f"{ROLES[i]} '{t.name}' must hold {size} float32 values, got {t.dtype} {t.shape}"
        )


def gate_vector(lstm: Lstm, arrays, index: dict, default=0.0) -> np.ndarray:
    """Per-gate [n_cell] vectors (biases, layer-norm coefficients) side by side."""
    n = lstm.n_cell
    parts = [
        np.full(n, default, F32) if arrays[index[g]] is None else arrays[index[g]]
        for g in lstm.gates
    ]
    return np.concatenate(parts).astype(F32)


def stack_rows(lstm: Lstm, arrays, index: dict, diag_as_zero: bool = False) -> list:
    """The gates' weight matrices (rows: cells), diagonal ones replaced by zero rows."""
    out = []
    for g, d in zip(lstm.gates, lstm.diag if diag_as_zero else (False,) * len(lstm.gates)):
        w = arrays[index[g]]
        out.append(np.zeros((lstm.n_cell, lstm.n_output), w.dtype) if d else w)
    return out


def diagonal(lstm: Lstm, arrays):
    """Diagonal recurrent weights side by side (zeros for full-matrix gates), or None."""
    if not any(lstm.diag):
        return None
    n = lstm.n_cell
    parts = [
        np.asarray(arrays[REC_W[g]], F32) if d else np.zeros(n, F32)
        for g, d in zip(lstm.gates, lstm.diag)
    ]
    return np.concatenate(parts)


def layer_norm(z: np.ndarray, coef, bias) -> np.ndarray:
    """MeanStddevNormalization per row, times coefficients, plus bias: (z - mean) times
    1 / sqrt(variance + 1e-8), in float32 and in the order of TFLite's portable kernel: the
    normalization of a few close values amplifies any rounding difference."""
    n = F32(z.shape[1])
    mean = _sum(z) / n
    d = z - mean
    var = _sum(d * d) / n
    return d * (F32(1) / np.sqrt(var + F32(1e-8))) * coef + bias


def _sum(z: np.ndarray) -> np.ndarray:
    """Row sums added left to right, as TFLite's loop (numpy's sum is pairwise)."""
    return np.cumsum(z, axis=1, dtype=F32)[:, -1:]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return F32(1) / (F32(1) + np.exp(-z))


class Cell:
    """The part of a step after the matmuls: gates, cell update and the pre-projection output.

    ``z`` holds each gate's input + recurrent terms (plus its bias unless layer norm adds it
    after normalizing). ``stale`` marks rows where TFLite's float kernel, for activation NONE,
    leaves only the bias (0 with layer norm) in the cell-gate buffer: its gate sum ended in the
    other scratch buffer and NONE copies nothing back (see ``stale_rows``).
    """

    def __init__(self, lstm: Lstm, arrays):
        self.lstm = lstm
        n = lstm.n_cell
        self.slices = {g: slice(k * n, (k + 1) * n) for k, g in enumerate(lstm.gates)}
        self.bias = gate_vector(lstm, arrays, BIAS)
        self.coef = gate_vector(lstm, arrays, LN, 1.0) if lstm.layer_norm else None
        self.peep = {g: arrays[i] for g, i in PEEP.items() if lstm.peephole and g in lstm.gates}

    def gate(self, z, name: str, c=None) -> np.ndarray:
        s = self.slices[name]
        v = z[:, s]
        if name in self.peep:
            v = v + self.peep[name] * c
        if self.coef is not None:
            v = layer_norm(v, self.coef[s], self.bias[s])
        return v

    def __call__(self, z, c, stale=None) -> np.ndarray:
        """Updates ``c`` in place; returns o * act(c) ([batch, n_cell])."""
        lstm = self.lstm
        f = sigmoid(self.gate(z, "forget", c))
        i = F32(1) - f if "input" not in self.slices else sigmoid(self.gate(z, "input", c))
        act = ACTIVATIONS[lstm.act]
        g = self.gate(z, "cell")
        if act is not None:
            g = act(g)
        elif stale is not None and stale.any():
            base = F32(0) if self.coef is not None else self.bias[self.slices["cell"]]
            g = np.where(stale[:, None], base, g)
        c *= f
        c += i * g
        if lstm.cell_clip > 0:
            np.clip(c, -F32(lstm.cell_clip), F32(lstm.cell_clip), out=c)
        o = sigmoid(self.gate(z, "output", c))
        # NONE: TFLite's output step finds the cell-gate values, not c, in its buffer
        return o * (g if act is None else act(c))


def stale_rows(lstm: Lstm, x_t: np.ndarray):
    """Rows whose float cell-gate sum TFLite leaves outside the gate buffer (activation NONE
    only): an all-zero input step (checked over the whole batch when time-major, per row
    otherwise) skips one accumulation, a diagonal recurrent term adds one; an odd count of
    these swaps moves the sum to the scratch buffer."""
    if lstm.act != "NONE":
        return None
    zero = ~np.any(x_t != 0, axis=1)
    if lstm.time_major:
        zero[:] = zero.all()
    return zero != lstm.diag[lstm.gates.index("cell")]
