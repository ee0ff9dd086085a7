"""Stateful models (resource variables, CALL_ONCE), control flow and DENSIFY against LiteRT."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import require
from tflite_builder import ModelBuilder, options

from edgelite.interpreter import Interpreter


def accumulator_model(shape=(1, 4)) -> bytes:
    """y = acc + x; acc = y. ``acc`` starts at 1.5 via an init subgraph run by CALL_ONCE."""
    mb = ModelBuilder()
    main = mb.graph("main")
    init = mb.graph("init")
    x = main.input("x", shape)
    h = main.tensor("h", [], np.int32, type_name="RESOURCE")
    v = main.tensor("v", shape, np.float32)
    y = main.tensor("y", shape, np.float32)
    main.outputs.append(y)
    main.op("CALL_ONCE", [], [], options("CallOnceOptions", init_subgraph_index=1))
    main.op("VAR_HANDLE", [], [h], options("VarHandleOptions", shared_name="acc"))
    main.op("READ_VARIABLE", [h], [v])
    main.op("ADD", [v, x], [y], options("AddOptions"))
    main.op("ASSIGN_VARIABLE", [h, y], [])
    ih = init.tensor("h", [], np.int32, type_name="RESOURCE")
    start = init.const("start", np.full(shape, 1.5, np.float32))
    init.op("VAR_HANDLE", [], [ih], options("VarHandleOptions", shared_name="acc"))
    init.op("ASSIGN_VARIABLE", [ih, start], [])
    return mb.to_bytes()


def _run(interp, x):
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    interp.invoke()
    return interp.get_tensor(interp.get_output_details()[0]["index"])


def test_variables_persist_across_invokes_like_litert():
    litert = require("ai_edge_litert.interpreter")
    content = accumulator_model()
    ref = litert.Interpreter(model_content=content)
    mine = Interpreter(model_content=content)
    ref.allocate_tensors()
    mine.allocate_tensors()
    rng = np.random.default_rng(3)
    got = []
    for _ in range(5):
        x = rng.standard_normal((1, 4)).astype(np.float32)
        want = _run(ref, x)
        got.append(_run(mine, x))
        np.testing.assert_allclose(got[-1], want, rtol=1e-6)
    assert not np.allclose(got[0], got[-1])  # state really accumulated


def test_variable_ops_need_a_resource_handle():
    from edgelite.errors import InvalidModelError

    mb = ModelBuilder()
    main = mb.graph("main")
    x = main.input("x", (1, 4))
    v = main.tensor("v", (1, 4), np.float32)
    main.outputs.append(v)
    main.op("READ_VARIABLE", [x], [v])  # a float tensor where the handle goes
    with pytest.raises(InvalidModelError, match="resource handle, got float32 of shape"):
        Interpreter(model_content=mb.to_bytes()).allocate_tensors()


def test_call_once_into_its_own_subgraph_is_refused():
    """Without options CALL_ONCE's init subgraph defaults to 0: the subgraph it sits in. The
    verifier sees no callee to check; invoking fails instead of recursing."""
    from edgelite.errors import InvokeError

    mb = ModelBuilder()
    main = mb.graph("main")
    x = main.input("x", (1, 4))
    y = main.tensor("y", (1, 4), np.float32)
    main.outputs.append(y)
    main.op("CALL_ONCE", [], [])
    main.op("RELU", [x], [y])
    interp = Interpreter(model_content=mb.to_bytes())
    interp.allocate_tensors()
    with pytest.raises(InvokeError, match="subgraph 0 is invoked again while it runs"):
        interp.invoke()


def test_reset_all_variables_starts_over():
    mine = Interpreter(model_content=accumulator_model())
    mine.allocate_tensors()
    x = np.ones((1, 4), np.float32)
    first = _run(mine, x)
    _run(mine, x)
    mine.reset_all_variables()
    np.testing.assert_array_equal(_run(mine, x), first)


def counter_while_model() -> bytes:
    """WHILE i < 10: i += 1; x = x * 1.5 — outputs (i, x)."""
    mb = ModelBuilder()
    main, cond, body = mb.graph("main"), mb.graph("cond"), mb.graph("body")
    i0 = main.input("i", [1], np.int32)
    x0 = main.input("x", [2, 3])
    i1 = main.tensor("i_out", [1], np.int32)
    x1 = main.tensor("x_out", [2, 3], np.float32)
    main.outputs += [i1, x1]
    main.op(
        "WHILE",
        [i0, x0],
        [i1, x1],
        options("WhileOptions", cond_subgraph_index=1, body_subgraph_index=2),
    )
    ci, cx = cond.input("i", [1], np.int32), cond.input("x", [2, 3])
    lim = cond.const("limit", np.array([10], np.int32))
    c = cond.tensor("c", [1], np.bool_)
    cond.outputs.append(c)
    cond.op("LESS", [ci, lim], [c])
    del cx
    bi, bx = body.input("i", [1], np.int32), body.input("x", [2, 3])
    one = body.const("one", np.array([1], np.int32))
    k = body.const("k", np.full([2, 3], 1.5, np.float32))
    bi2, bx2 = body.tensor("i2", [1], np.int32), body.tensor("x2", [2, 3], np.float32)
    body.outputs += [bi2, bx2]
    body.op("ADD", [bi, one], [bi2], options("AddOptions"))
    body.op("MUL", [bx, k], [bx2], options("MulOptions"))
    return mb.to_bytes()


def test_while_loop_like_litert():
    litert = require("ai_edge_litert.interpreter")
    content = counter_while_model()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    outs = []
    for cls in (litert.Interpreter, Interpreter):
        it = cls(model_content=content)
        it.allocate_tensors()
        d = it.get_input_details()
        it.set_tensor(d[0]["index"], np.array([3], np.int32))
        it.set_tensor(d[1]["index"], x)
        it.invoke()
        outs.append([it.get_tensor(o["index"]) for o in it.get_output_details()])
    assert outs[1][0].tolist() == [10]
    for a, b in zip(*outs):
        np.testing.assert_allclose(b, a, rtol=1e-6)


def sparse_model(dense: np.ndarray, block=None) -> bytes:
    """DENSIFY of a CSR-encoded constant, then ADD to the input (so the output is not folded)."""
    from edgelite.schemas.model import tfl

    T = tfl()
    rows, cols = dense.shape
    segs, idx, vals = [0], [], []
    for r in range(rows):
        nz = np.nonzero(dense[r])[0]
        idx += nz.tolist()
        vals += dense[r, nz].tolist()
        segs.append(len(idx))
    sp = T["SparsityParameters"](
        traversal_order=np.array([0, 1], np.int32),
        dim_metadata=[
            T["DimensionMetadata"](format="DENSE", dense_size=rows),
            T["DimensionMetadata"](
                format="SPARSE_CSR",
                array_segments=T["Int32Vector"](values=np.array(segs, np.int32)),
                array_indices=T["Int32Vector"](values=np.array(idx, np.int32)),
            ),
        ],
    )
    mb = ModelBuilder()
    g = mb.graph("main")
    x = g.input("x", dense.shape)
    s = g.tensor("sparse", dense.shape, np.float32, data=np.array(vals, np.float32), sparsity=sp)
    d = g.tensor("dense", dense.shape, np.float32)
    y = g.tensor("y", dense.shape, np.float32)
    g.outputs.append(y)
    g.op("DENSIFY", [s], [d])
    g.op("ADD", [x, d], [y], options("AddOptions"))
    return mb.to_bytes()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_densify_like_litert(seed):
    litert = require("ai_edge_litert.interpreter")
    rng = np.random.default_rng(seed)
    dense = rng.standard_normal((5, 7)).astype(np.float32)
    dense[rng.random(dense.shape) < 0.6] = 0
    content = sparse_model(dense)
    x = rng.standard_normal(dense.shape).astype(np.float32)
    mine = Interpreter(model_content=content)
    mine.allocate_tensors()
    got = _run(mine, x)
    np.testing.assert_array_equal(got, x + dense)
    ref = litert.Interpreter(model_content=content)
    ref.allocate_tensors()
    np.testing.assert_array_equal(got, _run(ref, x))
