"""Kernels' temporaries come from one shared buffer per purpose in each subgraph."""

from __future__ import annotations

import numpy as np
from fixtures_path import oracle_dir
from oracle import ours, run, samples

from edgelite.interpreter.scratch import Scratch


def test_arrays_share_one_buffer_sized_by_the_largest_request():
    pool = Scratch()
    small = pool.array("t", (3, 4), np.float64)
    large = pool.array("t", (10, 10), np.float32)
    other = pool.array("u", (5,), np.uint8)
    assert pool.nbytes == 400 + 5
    a, b = small.get(), large.get()
    assert a.shape == (3, 4) and a.dtype == np.float64 and b.shape == (10, 10)
    assert np.shares_memory(a, b) and not np.shares_memory(b, other.get())
    assert small.get() is a  # resolved once


def test_int8_model_shares_its_temporaries_and_stays_exact():
    path = oracle_dir() / "mobilenetv2_035_96__int8.tflite"
    interp = ours(path)
    scratch = interp._main.scratch
    # one buffer per purpose for the whole model (each kernel used to hold its own: ~20 MB)
    assert set(scratch.buffers) == {
        "requantize.t", "requantize.sign", "conv.pixels", "conv.acc", "conv.cols",
        "rows.input", "depthwise.acc", "depthwise.part",
    }  # fmt: skip
    assert scratch.nbytes < 3 << 20  # float64 pixels of the shallow 1x1 convs included
    expected = np.load(oracle_dir() / "mobilenetv2_035_96__int8.expected.npz")
    for k in range(2):
        (got,) = run(interp, samples(expected, k))
        assert np.array_equal(got, expected[f"ref_output_0_{k}"])
