"""DataFrames of results: to_arrow, to_polars and to_pandas give the rows and types of the result, from a
packed table, a Counter, three columns, compare and discover; each needs only its own library."""

from __future__ import annotations

import gc
import math
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wordfreq
from wordfreq.analyses.keyness import COLUMNS, KeyRow, Keywords
from wordfreq.api import CountResult
from wordfreq.reduce.packs import merge_packs, pack
from wordfreq.tables import frames
from wordfreq.tables.frames import MissingLibrary


def packed_result(counts: dict[str, int]) -> CountResult:
    table = merge_packs([pack(counts)], 1, None)  # type: ignore[list-item]
    assert table is not None
    return CountResult(None, 1, 0, 0.0, 0, 1, packed=table)


def held_result(counts: dict[str, int], docs: dict[str, int] | None = None) -> CountResult:
    return CountResult(Counter(counts), 1, 0, 0.0, 0, 1, docs=None if docs is None else Counter(docs))


COUNTS = {"的": 5, "北京": 2, "C++": 2, "😀": 1}


@pytest.mark.parametrize("make", [packed_result, held_result])
def test_each_frame_has_the_rows_and_types_of_the_result(make) -> None:
    result = make(COUNTS)
    rows = list(result.rows())
    table = result.to_arrow()
    assert table.schema == pa.schema([("token", pa.large_string()), ("count", pa.int64())])
    assert list(zip(*(table.column(c).to_pylist() for c in ("token", "count")))) == rows
    frame = result.to_polars()
    assert frame.schema == pl.Schema({"token": pl.String, "count": pl.Int64}) and frame.rows() == rows
    pandas = result.to_pandas()
    assert list(pandas.itertuples(index=False, name=None)) == rows and str(pandas["count"].dtype) == "int64"


def test_three_columns_and_an_empty_result() -> None:
    result = held_result({"a": 3, "b": 1}, {"a": 2, "b": 1})
    assert result.to_polars().rows() == [("a", 3, 2), ("b", 1, 1)]
    assert result.to_arrow().schema.names == ["token", "count", "docs"]
    zero = held_result({"a": 0, "b": 2})  # a count changed by hand: kept, as rows() keeps it
    assert zero.to_polars().rows() == list(zero.rows()) == [("b", 2), ("a", 0)]
    empty = held_result({})
    assert (
        empty.to_polars().shape == (0, 2) and empty.to_arrow().num_rows == 0 and len(empty.to_pandas()) == 0
    )


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1), st.integers(1, 2**62)),
    st.booleans(),
)
def test_any_table_crosses_in_table_order(counts: dict[str, int], packed: bool) -> None:
    """A packed table's columns are in table order; a Counter's are sorted by polars and pyarrow, whose
    string order must be code-point order."""
    result = packed_result(counts) if packed else held_result(counts)
    rows = list(result.rows())
    assert result.to_polars().rows() == rows
    assert result.to_arrow().to_pylist() == [{"token": t, "count": c} for t, c in rows]
    assert list(result.to_pandas().itertuples(index=False, name=None)) == rows


def test_without_the_compiled_export_the_frames_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    results = [packed_result(COUNTS), held_result({"a": 3, "b": 1}, {"a": 2, "b": 1})]
    keywords = Keywords(
        [
            KeyRow("x", 1, 0, 1.0, 0.0, math.nan, math.inf, 1.0, 1),
            KeyRow("y", 0, 2, 0.0, 2.0, 1.5, 0.2, -1.0, -1),
        ]
    )
    expected = [(r.to_arrow(), r.to_polars(), r.to_pandas()) for r in [*results, keywords]]
    monkeypatch.setattr(frames, "_arrow", None)
    for result, (arrow, polars, pandas) in zip([*results, keywords], expected):
        assert result.to_arrow().equals(arrow)
        assert result.to_polars().equals(polars)
        assert result.to_pandas().equals(pandas)


def test_a_frame_outlives_its_result() -> None:
    result = packed_result({f"w{i}": i + 1 for i in range(1000)})
    expected = list(result.rows())
    frame, table = result.to_polars(), result.to_arrow()
    del result
    gc.collect()
    assert frame.rows() == expected and table.column("token").to_pylist() == [t for t, _ in expected]


def test_compare_and_discover_results_become_frames_with_nulls_where_undefined(sample_corpus: Path) -> None:
    keywords = wordfreq.compare({"a": 5, "b": 1}, {"a": 1, "c": 4})
    assert isinstance(keywords, Keywords)
    frame = keywords.to_polars()
    assert frame.columns == list(COLUMNS) and frame["token"].to_list() == [row.token for row in keywords]
    assert frame["p"].to_list() == [row.p for row in keywords] and frame["count_a"].dtype == pl.Int64
    odd = Keywords([KeyRow("x", 1, 0, 1.0, 0.0, math.nan, math.inf, 1.0, 1)])
    assert odd.to_arrow().column("ll").to_pylist() == [None] and odd.to_pandas()["ll"].isna().all()
    found = wordfreq.discover_words([str(sample_corpus)], workers=1, min_count=2)
    candidates = found.to_polars()
    assert candidates["known"].dtype == pl.Boolean
    assert candidates.rows() == [tuple(vars(c).values()) for c in found.candidates]


def test_each_method_needs_only_its_own_library(monkeypatch: pytest.MonkeyPatch) -> None:
    result = packed_result(COUNTS)
    rows = list(result.rows())
    held = held_result({"b": 1, "a": 1, "c": 5})
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    assert result.to_polars().rows() == rows
    assert list(result.to_pandas().itertuples(index=False, name=None)) == rows  # pandas alone
    assert list(held.to_pandas().itertuples(index=False, name=None)) == list(held.rows())  # sorted by pandas
    with pytest.raises(
        MissingLibrary, match=r"to_arrow\(\) needs pyarrow: pip install 'corpus-wordfreq\[arrow\]'"
    ):
        result.to_arrow()
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(MissingLibrary, match=r"corpus-wordfreq\[polars\]"):
        result.to_polars()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingLibrary, match=r"corpus-wordfreq\[pandas\]"):
        result.to_pandas()
    assert isinstance(pd.DataFrame, type)
