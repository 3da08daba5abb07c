"""Ids in Arrow: the FNV-1a hashes and the bulk index positions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.core.ids import hash_candidates, positions_in, string_hashes


def _fnv1a(text: str) -> int:
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) % 2**64
    return h


def test_string_hashes_are_fnv1a_of_the_utf8_bytes():
    values = pa.array(["a.txt:p000", None, "", "Jakarta–Depok:p012", "a.txt:p000"])
    hashes = [int(h) for h in string_hashes(values.slice(1))]  # a slice: offsets honoured
    assert hashes == [_fnv1a(v) for v in ["", "", "Jakarta–Depok:p012", "a.txt:p000"]]
    assert _fnv1a("") == 0xCBF29CE484222325  # a null hashes as the empty string
    chunked = pa.chunked_array([values[:2], values[2:]])
    assert string_hashes(chunked).tolist() == string_hashes(values).tolist()
    assert string_hashes(values.cast(pa.large_string())).tolist() == string_hashes(values).tolist()
    assert len(string_hashes(pa.array([], pa.string()))) == 0


def test_positions_in_looks_each_distinct_value_up_once():
    index = pd.Index(["d1", "d2", "d3"])
    ids = pa.array(["d2", "d2", "d9", None, "d1", "d9", "d3"])
    position, missing = positions_in(index, ids)
    assert position.tolist() == [1, 1, -1, -1, 0, -1, 2]
    assert missing == ["d9", None]
    position, missing = positions_in(index, pa.array(["d3", "d1"]).slice(1))
    assert (position.tolist(), missing) == ([0], [])
    position, missing = positions_in(index, pa.array([], pa.string()))
    assert (len(position), missing) == (0, [])
    assert position.dtype == np.intp


def test_id_sets_answer_as_is_in_does(monkeypatch):
    import pyarrow.compute as pc

    import analysis.core.ids as ids_module
    from analysis.core.ids import IdSet

    wanted = IdSet(["d1", "d3", "Jakarta–Depok", float("nan"), None])
    values = pa.array(["d3", None, "d2", "Jakarta–Depok", "", "d1", "d3"]).slice(0)
    expected = pc.is_in(values, value_set=pa.array(["d1", "d3", "Jakarta–Depok"])).to_pylist()
    assert (
        wanted.contains(values).tolist()
        == expected
        == [True, False, False, True, False, True, True]
    )
    assert not IdSet([]).contains(values).any()
    assert len(wanted.contains(pa.array([], pa.string()))) == 0
    # the hashes only pick candidates: with every hash equal, the strings still decide
    monkeypatch.setattr(ids_module, "string_hashes", lambda v: np.zeros(len(v), np.uint64))
    assert IdSet(["d1", "d3"]).contains(values).tolist() == [
        True,
        False,
        False,
        False,
        False,
        True,
        True,
    ]


def test_hash_candidates_are_the_rows_whose_hash_is_known():
    known = np.array([3, 8, 20], np.uint64)
    hashes = np.array([8, 1, 20, 21, 3, 8], np.uint64)
    assert hash_candidates(known, hashes).tolist() == [0, 2, 4, 5]
    assert hash_candidates(np.zeros(0, np.uint64), hashes).tolist() == []
    assert hash_candidates(known, np.zeros(0, np.uint64)).tolist() == []


@pytest.mark.parametrize(
    "values",
    [
        ["a", "", "Jakarta–Depok:p012", "x" * 300],  # one id longer than numpy's limit
        [f"doc-{k:07d}:p{k % 40:03d}" for k in range(12_000)],  # more bytes than numpy's limit
        [f"d{k}:p{k % 7}" for k in range(500)],
    ],
)
def test_the_numpy_and_the_compiled_hashes_agree(values):
    from analysis.core import ids as ids_module

    array = pa.array(values, pa.large_string())
    _validity, offsets, data = array.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[: len(values) + 1]
    data = np.frombuffer(data, dtype=np.uint8)
    compiled = ids_module._compiled_fnv1a()(offsets, data)
    assert ids_module._fnv1a_numpy(offsets, data).tolist() == compiled.tolist()
    assert string_hashes(array).tolist() == compiled.tolist()
    assert compiled[:3].tolist() == [_fnv1a(v) for v in values[:3]]
