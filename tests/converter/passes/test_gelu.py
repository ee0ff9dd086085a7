import math

from graph_check import assert_equivalent, c, count, graph, op, t

from edgelite.converter.passes.gelu import fuse_gelu

SHAPE = [2, 8]
NONE = {"fused_activation_function": "NONE"}


class _Builder:
    def __init__(self):
        self.ops, self.n = [], 0

    def __call__(self, kind, *ins, out=None, **opts):
        self.n += 1
        y = out or t(f"v{self.n}", SHAPE)
        ins = [c(f"k{self.n}_{i}", v) if isinstance(v, float) else v for i, v in enumerate(ins)]
        if kind in ("ADD", "SUB", "MUL", "DIV"):
            opts = {**NONE, **opts}
        self.ops.append(op(kind, ins, [y], **opts))
        return y


def _wrap(body):
    inp, x, out = t("in", SHAPE), t("x", SHAPE), t("out", SHAPE)
    b = _Builder()
    b.ops.append(op("TANH", [inp], [x]))
    y = body(b, x)
    b.ops.append(op("NEG", [y], [out]))
    return graph(b.ops, [inp], [out])


def _tanh_form(b, x):
    cube = b("MUL", b("MUL", x, x), x)
    inner = b("ADD", x, b("MUL", cube, 0.044715))
    th = b("TANH", b("MUL", inner, math.sqrt(2 / math.pi)))
    return b("MUL", b("MUL", x, 0.5), b("ADD", th, 1.0))


def _erf_form(b, x):
    """0.5 x (1 + erf(x / sqrt 2)) with erf spelled as Abramowitz-Stegun 7.1.26 (error 1.5e-7)."""
    z = b("DIV", x, math.sqrt(2.0))
    az = b("ABS", z)
    tt = b("DIV", 1.0, b("ADD", b("MUL", az, 0.3275911), 1.0))
    poly = b("MUL", tt, 1.061405429)  # Horner: ((a5 t + a4) t + ... + a1) t
    for k in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly = b("MUL", b("ADD", poly, k), tt)
    e = b("EXP", b("NEG", b("MUL", az, az)))
    erf_abs = b("SUB", 1.0, b("MUL", poly, e))
    erf = b("MUL", b("SIGN", z), erf_abs)
    return b("MUL", b("MUL", b("ADD", erf, 1.0), x), 0.5)


def test_tanh_form_becomes_approximate_gelu():
    g = _wrap(_tanh_form)
    out = fuse_gelu(g)
    assert [o.type for o in out.ops] == ["TANH", "GELU", "NEG"]
    assert out.ops[1].options == {"approximate": True}
    assert_equivalent(g, out, rtol=1e-5, atol=1e-6)


def test_erf_form_from_primitives_becomes_exact_gelu():
    g = _wrap(_erf_form)
    assert count(g) > 20
    out = fuse_gelu(g)
    assert [o.type for o in out.ops] == ["TANH", "GELU", "NEG"]
    assert out.ops[1].options == {"approximate": False}
    assert_equivalent(g, out, rtol=1e-5, atol=1e-6)


def test_near_miss_stays():
    def wrong(b, x):  # 0.05 instead of 0.044715
        cube = b("MUL", b("MUL", x, x), x)
        th = b("TANH", b("MUL", b("ADD", x, b("MUL", cube, 0.05)), math.sqrt(2 / math.pi)))
        return b("MUL", b("MUL", x, 0.5), b("ADD", th, 1.0))

    g = _wrap(wrong)
    assert count(fuse_gelu(g)) == count(g)
