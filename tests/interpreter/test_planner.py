"""The arena planner: no two tensors alive at once share bytes; memory is reused."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from edgelite.interpreter.planner import ALIGN, Block, plan

blocks_strategy = st.lists(
    st.tuples(st.integers(0, 5000), st.integers(0, 30), st.integers(0, 10)),
    min_size=0,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(blocks_strategy)
def test_live_tensors_never_overlap(spec):
    blocks = [Block(i, size, first, first + span) for i, (size, first, span) in enumerate(spec)]
    total = plan(blocks)
    for b in blocks:
        assert b.offset % ALIGN == 0
        assert b.offset + b.size <= total
    for a in blocks:
        for b in blocks:
            if a.key < b.key and a.first <= b.last and b.first <= a.last and a.size and b.size:
                assert a.offset + a.size <= b.offset or b.offset + b.size <= a.offset
    # never more than placing everything side by side
    assert total <= sum((b.size + ALIGN - 1) // ALIGN * ALIGN for b in blocks)


def test_chain_reuses_memory():
    # a -> b -> c -> d: each tensor lives for two steps, so two slots suffice
    blocks = [Block(i, 1024, i, i + 1) for i in range(4)]
    assert plan(blocks) == 2048


def test_interpreter_arena_smaller_than_sum_of_activations():
    from fixtures_path import oracle_dir

    from edgelite.interpreter import Interpreter

    it = Interpreter(model_path=str(oracle_dir() / "mobilenetv2_035_96__float.tflite"))
    it.allocate_tensors()
    total = sum(
        int(d["shape"].prod()) * 4
        for d in it.get_tensor_details()
        if d["name"] and it._main.infos[d["index"]].data is None
    )
    assert 0 < it.arena_bytes < total / 3
    keep = Interpreter(
        model_path=str(oracle_dir() / "mobilenetv2_035_96__float.tflite"),
        experimental_preserve_all_tensors=True,
    )
    keep.allocate_tensors()
    assert keep.arena_bytes >= total
