"""Integer elementwise, quantize and data-movement kernels against LiteRT's reference kernels.

Each test builds a one-op model with random shapes, scales and zero points and requires our
output to equal LiteRT's BUILTIN_REF output bit for bit; a few also check independent numpy
formulas where the integer result is simple to state.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_harness import run_kernel
from litert_compare import assert_matches_litert
from tflite_builder import ModelBuilder, options, single_op

from edgelite.errors import InvalidModelError
from edgelite.interpreter.kernels.quantize import FLOAT32_ROUNDING_MIN

SETTINGS = settings(max_examples=40, deadline=None)
INT_TYPES = (np.int8, np.uint8, np.int16)
ACTIVATIONS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


def values(rng, dtype, shape):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max + 1, shape).astype(dtype)


def zero_point(rng, dtype) -> int:
    if dtype == np.int16:
        return 0
    info = np.iinfo(dtype)
    return int(rng.integers(info.min, info.max + 1))


def scale(rng, dtype, lo=0.002, hi=0.2) -> float:
    f = 1e-3 if dtype == np.int16 else 1.0
    return float(rng.uniform(lo, hi) * f)


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast (rank 1-4, some dims 1 on either side)."""
    rank = draw(st.integers(1, 4))
    full = draw(st.lists(st.integers(1, 5), min_size=rank, max_size=rank))
    a, b = list(full), list(full)
    for i in range(rank):
        pick = draw(st.integers(0, 3))
        if pick == 1:
            a[i] = 1
        elif pick == 2:
            b[i] = 1
    drop = draw(st.integers(0, rank - 1))
    return tuple(a), tuple(b[drop:]), tuple(full)


# --- QUANTIZE / DEQUANTIZE ----------------------------------------------------------------


@SETTINGS
@given(st.sampled_from(INT_TYPES), st.integers(0, 2**32 - 1))
def test_quantize_float_matches_litert_and_formula(dtype, seed):
    rng = np.random.default_rng(seed)
    s, zp = scale(rng, dtype), zero_point(rng, dtype)
    x = (rng.standard_normal((3, 17)) * s * 200).astype(np.float32)
    x[0, :4] = np.array([0.5, -0.5, 2.5, -2.5], np.float32) * np.float32(s)  # exact halves
    (got,) = assert_matches_litert(
        single_op("QUANTIZE", [x], x.shape, dtype, out_quant=(s, zp)), [x]
    )
    info = np.iinfo(dtype)
    r = x / np.float32(s)
    want = np.clip(np.sign(r) * np.floor(np.abs(r) + 0.5) + zp, info.min, info.max)
    assert np.array_equal(got, want.astype(dtype))


@pytest.mark.parametrize("wild", [False, True])
@pytest.mark.parametrize("dtype", INT_TYPES)
def test_quantize_float_edge_values_match_litert(dtype, wild):
    """Ties just inside and outside the clamp, -0.0, denormals (8-bit: the float32 rounding
    path); with NaN, infinities and quotients past int32 (the x86 cast gives INT32_MIN, so
    +1e10 clamps low) among them, every value takes the float64 path."""

    s, zp = 0.5, {np.int8: -3, np.uint8: 128, np.int16: 0}[dtype]
    info = np.iinfo(dtype)
    edge = [-0.0, 1e-40, (info.max - zp + 0.5) * s, (info.min - zp - 0.5) * s,
            (info.max - zp - 0.5) * s, (info.min - zp + 0.5) * s, 0.25 * s, -0.25 * s,
            0.75 * s, -0.75 * s, 1.5 * s, -1.5 * s, 1e6, -1e6]  # fmt: skip
    if wild:
        edge += [np.nan, np.inf, -np.inf, 1e10, -1e10, 2.0**31 * s, -(2.0**31) * s]
    # repeated up to the size where 8-bit outputs take the float32 rounding
    x = np.resize(np.array(edge, np.float32), (2, FLOAT32_ROUNDING_MIN // 2 + 7))
    assert_matches_litert(single_op("QUANTIZE", [x], x.shape, dtype, out_quant=(s, zp)), [x])


def test_quantize_float_per_channel_matches_litert():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    scales = np.array([0.01, 0.02, 0.05], np.float32)
    zps = np.array([-3, 0, 7], np.int64)
    model = single_op("QUANTIZE", [x], x.shape, np.int8, out_quant=(scales, zps, 1))
    (got,) = assert_matches_litert(model, [x])
    want = np.clip(np.round(x / scales[:, None]) + zps[:, None], -128, 127)
    assert np.abs(got.astype(int) - want).max() <= 1  # np.round ties to even


@SETTINGS
@given(
    st.sampled_from(
        [(a, b) for a in INT_TYPES for b in INT_TYPES if (a, b) != (np.int16, np.uint8)]
    ),
    st.integers(0, 2**32 - 1),
)
def test_requantize_matches_litert(types, seed):
    src, dst = types
    rng = np.random.default_rng(seed)
    x = values(rng, src, (4, 33))
    zi = 0 if (src, dst) == (np.int16, np.int16) else zero_point(rng, src)
    zo = 0 if (src, dst) == (np.int16, np.int16) else zero_point(rng, dst)
    zi, zo = (zi, zo) if src != np.int16 else (0, zo)
    model = single_op(
        "QUANTIZE", [x], x.shape, dst, in_quant={0: (scale(rng, src), zi)},
        out_quant=(scale(rng, dst), zo),
    )  # fmt: skip
    assert_matches_litert(model, [x])


def test_int8_uint8_same_scale_flips_sign_bit():
    x = np.arange(-128, 128, dtype=np.int8)
    (y,) = run_kernel(
        "QUANTIZE", [x], out_dtypes=(np.uint8,), quant={"in0": (0.1, -5), "out0": (0.1, 123)}
    )
    assert np.array_equal(y, (x.view(np.uint8) ^ 0x80))


@SETTINGS
@given(st.sampled_from(INT_TYPES), st.integers(0, 2**32 - 1))
def test_dequantize_matches_litert(dtype, seed):
    rng = np.random.default_rng(seed)
    x = values(rng, dtype, (3, 19))
    s, zp = scale(rng, dtype), zero_point(rng, dtype)
    model = single_op("DEQUANTIZE", [x], x.shape, np.float32, in_quant={0: (s, zp)}, version=2)
    (got,) = assert_matches_litert(model, [x])
    assert np.array_equal(got, ((x.astype(np.float64) - zp) * np.float32(s)).astype(np.float32))


def test_quantize_rejects_bad_types():
    with pytest.raises(InvalidModelError, match="QUANTIZE|quantize"):
        run_kernel("QUANTIZE", [np.zeros(3, np.float32)], out_dtypes=(np.int32,),
                   quant={"out0": (0.1, 0)})  # fmt: skip
    with pytest.raises(InvalidModelError, match="zero points"):
        run_kernel("QUANTIZE", [np.zeros(3, np.int16)], out_dtypes=(np.int16,),
                   quant={"in0": (0.1, 0), "out0": (0.1, 3)})  # fmt: skip


# --- ADD / SUB / MUL / SQUARED_DIFFERENCE / MAXIMUM / MINIMUM ------------------------------

_OPTIONS = {"ADD": "AddOptions", "SUB": "SubOptions", "MUL": "MulOptions"}


@SETTINGS
@given(
    st.sampled_from(["ADD", "SUB", "MUL"]),
    st.sampled_from(INT_TYPES),
    st.sampled_from(ACTIVATIONS),
    broadcast_pair(),
    st.integers(0, 2**32 - 1),
)
def test_add_sub_mul_match_litert(op, dtype, act, shapes, seed):
    rng = np.random.default_rng(seed)
    sa, sb, so = shapes
    a, b = values(rng, dtype, sa), values(rng, dtype, sb)
    fields = {"fused_activation_function": act}
    if op != "MUL":
        fields["pot_scale_int16"] = False
    out_scale = scale(rng, dtype) * (8 if op == "MUL" else 2)
    model = single_op(
        op, [a, b], so, dtype, options(_OPTIONS[op], **fields), version=2,
        in_quant={0: (scale(rng, dtype), zero_point(rng, dtype)),
                  1: (scale(rng, dtype), zero_point(rng, dtype))},
        out_quant=(out_scale, zero_point(rng, dtype)),
    )  # fmt: skip
    (got,) = assert_matches_litert(model, [a, b])
    if act == "RELU":  # the clamp is really applied
        assert got.min() >= max(np.iinfo(dtype).min, 0 if dtype == np.int16 else -128)


@SETTINGS
@given(
    st.sampled_from([np.int8, np.uint8]),
    st.sampled_from(ACTIVATIONS),
    broadcast_pair(),
    st.integers(0, 2**32 - 1),
)
def test_div_matches_litert(dtype, act, shapes, seed):
    """8-bit DIV in fixed point, including quotients tiny enough that the reference shifts
    past 31 bits (LiteRT's x86 results are reproduced there too)."""
    rng = np.random.default_rng(seed)
    sa, sb, so = shapes
    a, b = values(rng, dtype, sa), values(rng, dtype, sb)
    zb = zero_point(rng, dtype)
    b[b == zb] = np.array(zb + 1 if zb < np.iinfo(dtype).max else zb - 1).astype(dtype)
    out_scale = scale(rng, dtype, 1e-4, 0.5)
    model = single_op(
        "DIV", [a, b], so, dtype, options("DivOptions", fused_activation_function=act),
        version=2 if dtype == np.int8 else 1,
        in_quant={0: (scale(rng, dtype, 0.001, 0.5), zero_point(rng, dtype)),
                  1: (scale(rng, dtype, 0.001, 0.5), zb)},
        out_quant=(out_scale, zero_point(rng, dtype)),
    )  # fmt: skip
    assert_matches_litert(model, [a, b])


def test_div_by_the_zero_point_fails_at_invoke():
    from edgelite.errors import InvokeError

    a, b = np.array([5, 9], np.int8), np.array([3, 4], np.int8)  # b[0] is its zero point
    quant = {"in0": (0.1, 0), "in1": (0.1, 3), "out0": (0.1, 0)}
    with pytest.raises(InvokeError, match="division by zero"):
        run_kernel("DIV", [a, b], out_dtypes=(np.int8,), quant=quant)


@SETTINGS
@given(st.sampled_from(["ADD", "SUB"]), st.integers(-3, 0), st.integers(0, 2**32 - 1))
def test_int16_power_of_two_add_sub(op, shift, seed):
    """pot_scale_int16 with power-of-two scales: one input rescaled by a rounding shift."""
    rng = np.random.default_rng(seed)
    a, b = values(rng, np.int16, (3, 8)), values(rng, np.int16, (3, 8))
    model = single_op(
        op, [a, b], a.shape, np.int16, options(_OPTIONS[op], pot_scale_int16=True), version=3,
        in_quant={0: (2.0**-12, 0), 1: (2.0 ** (-12 + shift), 0)}, out_quant=(2.0**-12, 0),
    )  # fmt: skip
    (got,) = assert_matches_litert(model, [a, b])
    b64 = b.astype(np.int64)
    if shift:
        b64 = np.sign(b64) * ((np.abs(b64) + (1 << (-shift - 1))) >> -shift)  # half away from 0
    want = a.astype(np.int64) + (b64 if op == "ADD" else -b64)
    assert np.array_equal(got, np.clip(want, -32768, 32767))


@SETTINGS
@given(broadcast_pair(), st.integers(0, 2**32 - 1))
def test_squared_difference_int8_matches_litert(shapes, seed):
    rng = np.random.default_rng(seed)
    sa, sb, so = shapes
    a, b = values(rng, np.int8, sa), values(rng, np.int8, sb)
    s1, s2 = scale(rng, np.int8), scale(rng, np.int8)
    model = single_op(
        "SQUARED_DIFFERENCE", [a, b], so, np.int8, version=2,
        in_quant={0: (s1, zero_point(rng, np.int8)), 1: (s2, zero_point(rng, np.int8))},
        out_quant=(max(s1, s2) ** 2 * 300, -128),
    )  # fmt: skip
    assert_matches_litert(model, [a, b])


@SETTINGS
@given(
    st.sampled_from(["MAXIMUM", "MINIMUM"]),
    st.sampled_from(INT_TYPES),
    broadcast_pair(),
    st.integers(0, 2**32 - 1),
)
def test_maximum_minimum_compare_raw_values(op, dtype, shapes, seed):
    rng = np.random.default_rng(seed)
    sa, sb, so = shapes
    a, b = values(rng, dtype, sa), values(rng, dtype, sb)
    q = (scale(rng, dtype), zero_point(rng, dtype))
    model = single_op(op, [a, b], so, dtype, in_quant={0: q, 1: q}, out_quant=q, version=2)
    (got,) = assert_matches_litert(model, [a, b])
    assert np.array_equal(got, (np.maximum if op == "MAXIMUM" else np.minimum)(a, b))


def test_quantized_binary_errors():
    a = np.zeros((2, 3), np.int8)
    with pytest.raises(InvalidModelError, match="quantization"):
        run_kernel("ADD", [a, a], out_dtypes=(np.int8,), quant={"in0": (0.1, 0), "out0": (1, 0)})
    with pytest.raises(InvalidModelError, match="broadcast"):
        run_kernel("MUL", [a, np.zeros((4,), np.int8)], out_dtypes=(np.int8,),
                   quant={"in0": (0.1, 0), "in1": (0.1, 0), "out0": (1, 0)})  # fmt: skip
    h = np.zeros(3, np.int16)
    with pytest.raises(InvalidModelError, match="zero points"):
        run_kernel("SUB", [h, h], out_dtypes=(np.int16,),
                   quant={"in0": (0.1, 1), "in1": (0.1, 0), "out0": (1, 0)})  # fmt: skip


# --- CONCATENATION / RESIZE / ARG_MAX / data movement -------------------------------------


@SETTINGS
@given(st.sampled_from(INT_TYPES), st.integers(0, 3), st.integers(0, 2**32 - 1))
def test_concatenation_matches_litert(dtype, axis, seed):
    rng = np.random.default_rng(seed)
    shape = [int(v) for v in rng.integers(1, 4, 4)]
    parts = []
    for _ in range(int(rng.integers(1, 4))):
        shape[axis] = int(rng.integers(1, 4))
        parts.append(values(rng, dtype, tuple(shape)))
    q = (scale(rng, dtype), zero_point(rng, dtype))
    # LiteRT requantizes only uint8; int8/int16 inputs must share the output's parameters
    quants = {i: (scale(rng, dtype), zero_point(rng, dtype)) if dtype == np.uint8 else q
              for i in range(len(parts))}  # fmt: skip
    out_shape = list(shape)
    out_shape[axis] = sum(p.shape[axis] for p in parts)
    model = single_op(
        "CONCATENATION", parts, out_shape, dtype, options("ConcatenationOptions", axis=axis),
        version=2, in_quant=quants, out_quant=q,
    )  # fmt: skip
    (got,) = assert_matches_litert(model, parts)
    if dtype != np.uint8:
        assert np.array_equal(got, np.concatenate(parts, axis=axis))


def test_concatenation_requantizes_differing_int8_inputs():
    a = np.array([[-128, 0, 5, 127]], np.int8)
    (y,) = run_kernel(
        "CONCATENATION", [a, a], options={"axis": 0}, out_dtypes=(np.int8,),
        quant={"in0": (0.5, 0), "in1": (0.25, 4), "out0": (0.5, 0)},
    )  # fmt: skip
    assert np.array_equal(y[0], a[0])
    real = (a[0].astype(np.float64) - 4) * 0.25
    assert np.array_equal(
        y[1], np.clip(np.sign(real / 0.5) * np.floor(abs(real / 0.5) + 0.5), -128, 127)
    )


@SETTINGS
@given(
    st.sampled_from(INT_TYPES),
    st.integers(1, 6), st.integers(1, 6), st.integers(1, 13), st.integers(1, 13),
    st.sampled_from([(False, False), (True, False), (False, True)]),
    st.integers(0, 2**32 - 1),
)  # fmt: skip
def test_resize_bilinear_matches_litert(dtype, h, w, oh, ow, flags, seed):
    rng = np.random.default_rng(seed)
    x = values(rng, dtype, (2, h, w, 3))
    q = (scale(rng, dtype), zero_point(rng, dtype))
    opts = options("ResizeBilinearOptions", align_corners=flags[0], half_pixel_centers=flags[1])
    model = single_op(
        "RESIZE_BILINEAR", [x, np.array([oh, ow], np.int32)], (2, oh, ow, 3), dtype, opts,
        version=3, const=(1,), in_quant={0: q}, out_quant=q,
    )  # fmt: skip
    (got,) = assert_matches_litert(model, [x])
    if (h, w) == (oh, ow) and not flags[1]:
        assert np.array_equal(got, x)  # identity resize


@SETTINGS
@given(
    st.sampled_from(INT_TYPES), st.integers(1, 6), st.integers(1, 13), st.booleans(),
    st.booleans(), st.integers(0, 2**32 - 1),
)  # fmt: skip
def test_resize_nearest_matches_litert(dtype, h, oh, align, half, seed):
    rng = np.random.default_rng(seed)
    x = values(rng, dtype, (1, h, 4, 2))
    q = (scale(rng, dtype), zero_point(rng, dtype))
    opts = options("ResizeNearestNeighborOptions", align_corners=align, half_pixel_centers=half)
    model = single_op(
        "RESIZE_NEAREST_NEIGHBOR", [x, np.array([oh, 5], np.int32)], (1, oh, 5, 2), dtype, opts,
        version=3, const=(1,), in_quant={0: q}, out_quant=q,
    )  # fmt: skip
    assert_matches_litert(model, [x])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
@pytest.mark.parametrize("op", ["ARG_MAX", "ARG_MIN"])
def test_arg_max_min_8bit(op, dtype):
    rng = np.random.default_rng(3)
    x = values(rng, dtype, (3, 7, 5))
    x[0, :, 0] = x[0, 0, 0]  # ties: the first index wins
    opts = options("ArgMaxOptions" if op == "ARG_MAX" else "ArgMinOptions", output_type="INT32")
    for axis in range(3):
        shape = tuple(d for i, d in enumerate(x.shape) if i != axis)
        model = single_op(
            op, [x, np.array([axis], np.int32)], shape, np.int32, opts, version=2, const=(1,),
            in_quant={0: (0.1, 3)},
        )  # fmt: skip
        (got,) = assert_matches_litert(model, [x])
        assert np.array_equal(got, (np.argmax if op == "ARG_MAX" else np.argmin)(x, axis=axis))


def _i32(*v):
    return np.array(v, np.int32)


_PAD = np.array([[0, 0], [1, 2], [0, 1], [0, 0]], np.int32)
DATA_MOVEMENT = [  # op, extra inputs (constant), output shape for a (2, 4, 6, 4) input, options
    ("GATHER", [_i32(3, 0, 1)], (2, 4, 3, 4), ("GatherOptions", {"axis": 2}), 1),
    ("RESHAPE", [_i32(8, 24)], (8, 24), None, 1),
    ("TRANSPOSE", [_i32(0, 3, 1, 2)], (2, 4, 4, 6), None, 2),
    ("STRIDED_SLICE", [_i32(0, 1, 0, 1), _i32(2, 4, 6, 4), _i32(1, 2, 2, 1)], (2, 2, 3, 3),
     ("StridedSliceOptions", {}), 2),
    ("SLICE", [_i32(0, 1, 2, 0), _i32(1, 2, 3, 4)], (1, 2, 3, 4), None, 2),
    ("TILE", [_i32(1, 2, 1, 1)], (2, 8, 6, 4), None, 2),
    ("DEPTH_TO_SPACE", [], (2, 8, 12, 1), ("DepthToSpaceOptions", {"block_size": 2}), 1),
    ("SPACE_TO_DEPTH", [], (2, 2, 3, 16), ("SpaceToDepthOptions", {"block_size": 2}), 2),
    ("EXPAND_DIMS", [_i32(1)], (2, 1, 4, 6, 4), None, 1),
    ("BATCH_TO_SPACE_ND", [_i32(1, 2), np.zeros((2, 2), np.int32)], (1, 4, 12, 4), None, 2),
    ("SPACE_TO_BATCH_ND", [_i32(2, 2), np.array([[0, 0], [1, 1]], np.int32)], (8, 2, 4, 4),
     None, 2),
    ("PAD", [_PAD], (2, 7, 7, 4), None, 2),
    ("RESIZE_NEAREST_NEIGHBOR", [_i32(7, 9)], (2, 7, 9, 4),
     ("ResizeNearestNeighborOptions", {"half_pixel_centers": True}), 3),
]  # fmt: skip


@pytest.mark.parametrize("dtype", INT_TYPES)
@pytest.mark.parametrize("case", DATA_MOVEMENT, ids=lambda c: c[0])
def test_data_movement_on_quantized_tensors(case, dtype):
    op, extra, out_shape, opts, version = case
    if dtype == np.int16 and op in ("DEPTH_TO_SPACE", "SPACE_TO_DEPTH"):
        pytest.skip("LiteRT has no int16 kernel")
    rng = np.random.default_rng(5)
    x = values(rng, dtype, (2, 4, 6, 4))
    q = (0.05, zero_point(rng, dtype))
    opts = None if opts is None else options(opts[0], **opts[1])
    const = tuple(range(1, 1 + len(extra)))
    model = single_op(
        op, [x, *extra], out_shape, dtype, opts, version=version, const=const,
        in_quant={0: q}, out_quant=q,
    )  # fmt: skip
    (got,) = assert_matches_litert(model, [x])
    if op == "PAD":  # padding is the zero point
        assert np.all(got[:, 0] == q[1]) and np.array_equal(got[:, 1:5, :6], x)


@pytest.mark.parametrize("dtype", INT_TYPES)
def test_padv2_split_pack_unpack(dtype):
    rng = np.random.default_rng(6)
    x = values(rng, dtype, (2, 4, 6, 4))
    q = (0.05, zero_point(rng, dtype))
    pad_value = np.array([7], dtype)
    model = single_op(
        "PADV2", [x, _PAD, pad_value], (2, 7, 7, 4), dtype, version=2, const=(1, 2),
        in_quant={0: q, 2: q}, out_quant=q,
    )  # fmt: skip
    assert_matches_litert(model, [x])
    for op, opts, n_out, out_shape in (
        ("SPLIT", options("SplitOptions", num_splits=2), 2, (2, 2, 6, 4)),
        ("UNPACK", options("UnpackOptions", num=4, axis=1), 4, (2, 6, 4)),
    ):
        mb = ModelBuilder()
        g = mb.graph("main")
        xi = g.input("x", x.shape, dtype, quant=q)
        ins = [g.const("axis", _i32(1)), xi] if op == "SPLIT" else [xi]
        outs = [g.tensor(f"y{i}", out_shape, dtype, quant=q) for i in range(n_out)]
        g.outputs += outs
        g.op(op, ins, outs, opts, 2)
        assert_matches_litert(mb.to_bytes(), [x])
    mb = ModelBuilder()
    g = mb.graph("main")
    a, b = g.input("a", x.shape, dtype, quant=q), g.input("b", x.shape, dtype, quant=q)
    y = g.tensor("y", (2, 2, 4, 6, 4), dtype, quant=q)
    g.outputs.append(y)
    g.op("PACK", [a, b], [y], options("PackOptions", values_count=2, axis=1), 2)
    (got,) = assert_matches_litert(mb.to_bytes(), [x, x[::-1].copy()])
    assert np.array_equal(got[:, 0], x)
