"""samples/keyword_spotting: a stateful int8 streaming model, checked against the whole-window
model in our interpreter and in LiteRT, then exported as C++ that compiles."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_path import require
from sample_scripts import load_script
from tflm_cpp import compile_and_run

from edgelite.export_c import bytes_from_source
from edgelite.interpreter import Interpreter
from edgelite.schemas.model import load_model, op_name

STATE_OPS = {"CALL_ONCE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    require("ai_edge_litert")
    out = tmp_path_factory.mktemp("kws")
    r = load_script("keyword_spotting/run.py").main(["--fast", "--out", str(out), "--json"])
    r["out"] = out
    return r


def test_streaming_equals_whole_window_in_both_runtimes(report):
    checks = report["checks"]
    assert len(checks) == 5  # int8 and float, in edgelite and LiteRT, plus edgelite == LiteRT
    assert all(checks.values()), checks
    assert sum(k.startswith("litert") for k in checks) == 2
    assert report["frames"] >= 2 * 12  # the ring buffer wraps many times
    assert report["demonstration_model"] is True


def test_streamed_events_are_detected(report):
    events, found = report["events"], iter(report["detections"])
    assert len(events) >= 2
    assert all(e in found for e in events)  # each event detected, in order
    assert len(report["detections"]) <= len(events) + 1  # (a demonstration model: few extras)


def test_int8_model_is_stateful_and_keeps_accuracy(report):
    assert report["accuracy_float"] >= 0.9
    assert report["accuracy_int8"] >= report["accuracy_float"] - 0.02
    model = load_model(str(report["out"] / "kws_stream_int8.tflite"))
    assert len(model.subgraphs) == 2  # main + CALL_ONCE initializer
    ops = {op_name(model.operator_codes[o.opcode_index]) for o in model.subgraphs[0].operators}
    assert STATE_OPS | {"STRIDED_SLICE", "CONCATENATION", "CONV_2D", "FULLY_CONNECTED"} <= ops
    main = model.subgraphs[0]
    assert main.tensors[main.inputs[0]].type == "INT8"
    assert main.tensors[main.outputs[0]].type == "INT8"
    assert "RESOURCE" in {t.type for t in main.tensors}


def test_state_persists_across_invokes_and_resets_with_a_new_interpreter(report):
    path = str(report["out"] / "kws_stream_int8.tflite")

    def stream(frames):
        interp = Interpreter(model_path=path)
        interp.allocate_tensors()
        inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
        outs = []
        for f in frames:
            interp.set_tensor(inp["index"], f[None])
            interp.invoke()
            outs.append(interp.get_tensor(out["index"]).copy())
        return np.concatenate(outs)

    rng = np.random.default_rng(0)
    frames = rng.integers(-128, 128, (30, 10)).astype(np.int8)
    first = stream(frames)
    assert not np.array_equal(first[12], first[25])  # output depends on the frames held
    np.testing.assert_array_equal(stream(frames), first)  # a fresh interpreter starts from zeros


def test_exported_cpp_compiles_and_holds_the_model(report, tmp_path):
    e = report["export_c"]
    model = report["out"] / "kws_stream_int8.tflite"
    assert bytes_from_source(e["source"]) == model.read_bytes()
    assert STATE_OPS <= set(e["ops"]) and e["arena_size"] > 0
    header = model.parent / "firmware" / "kws_model.h"
    compile_and_run(tmp_path, header, e["source"], "kws", len(e["ops"]))
