"""The tables of a count by part made in C (``_tables.dispersion``, ``_tables.long_table``): equal to the
naive program's for any keys, including rows with bytes that sort below the separator (where key order
is not row order), part names of any text (many parts: the part index grows), and any cut."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from naive_parts import dispersion_table_of_counts, long_table_of_counts

from wordfreq.analyses.dispersion import compiled_dispersion, write_dispersion
from wordfreq.chunks.parts import SEP
from wordfreq.reduce.order import _tables
from wordfreq.reduce.packs import merge_packs, merge_sorted, pack, sort_pack
from wordfreq.tables.long import compiled_long_table, write_long_rows

pytestmark = pytest.mark.skipif(_tables is None, reason="the compiled _tables is not built")

rows = st.text(
    st.sampled_from(["a", "b", "\x01", "\x1b", "\t", "中", "文", "é", "~"]), min_size=1, max_size=4
)
names = st.text(st.sampled_from(["p", "q", "\x1f", "/", "中", "-", "\x01", " "]), max_size=5)
counts = st.one_of(st.integers(1, 40), st.integers(4090, 4100))  # and about PART_COUNTS (_parts.h)
tables = st.dictionaries(names, st.dictionaries(rows, counts, min_size=1, max_size=8), max_size=45)
# rows without a byte below the separator: key order is row order within a part (the C's counting sorts)
plain_rows = st.text(st.sampled_from(["a", "b", "中", "文", "é", "~"]), min_size=1, max_size=4)
plain_tables = st.dictionaries(
    names, st.dictionaries(plain_rows, counts, min_size=1, max_size=8), max_size=45
)
_settings = settings(max_examples=150, deadline=None)


def _packs(counted: dict[str, dict[str, int]]) -> list:
    """Each part's rows as a pack of keys, as a worker makes them (halves of one part apart, packed both
    ways: from a dict and from an unsorted pack)."""
    packs = []
    for part, counts in counted.items():
        items = sorted(counts.items())
        half = len(items) // 2
        packs.append(pack(dict(items[:half]), SEP + part))
        raw = pack(dict(items[half:]))
        packs.append(sort_pack(raw, SEP + part))
    return [merge_sorted([p for p in packs if p[1]])] if packs else []


@_settings
@given(counted=tables, min_count=st.integers(1, 5), max_rows=st.one_of(st.none(), st.integers(0, 6)))
def test_compiled_dispersion_is_the_naive_table(counted, min_count, max_rows):
    packs = _packs(counted)
    for by_key in (True, False):  # the C sorts a copy by key when it is not
        table = merge_packs(packs, 1, None, by_key)
        out = io.BytesIO()
        write_dispersion(compiled_dispersion(table, min_count, max_rows), out)
        want = dispersion_table_of_counts({p: Counter(c) for p, c in counted.items()}, min_count, max_rows)
        assert out.getvalue().decode() == want


@_settings
@given(
    counted=st.one_of(tables, plain_tables),
    min_count=st.integers(1, 5),
    max_rows=st.one_of(st.none(), st.integers(0, 6)),
)
def test_compiled_long_table_is_the_naive_table(counted, min_count, max_rows):
    packs = _packs(counted)
    for by_key in (False, True):  # key order is not table order: the C sorts by comparison then
        table = merge_packs(packs, 1, None, by_key)
        out = io.BytesIO()
        write_long_rows(compiled_long_table(table, min_count, max_rows), out)
        assert out.getvalue().decode() == long_table_of_counts(counted, min_count, max_rows)
        jsonl = io.BytesIO()
        write_long_rows(compiled_long_table(table, min_count, max_rows), jsonl, "jsonl")
        assert jsonl.getvalue().count(b"\n") == out.getvalue().count(b"\n") - 1


def test_exact_juilland_where_the_bound_is_unsure():
    """An evenly spread row over parts of equal size: D is 1 exactly, where floating point is unsure."""
    counted = {f"p{i}": {"a": 3, "b": 2} for i in range(3)}
    packed = merge_packs(_packs(counted), 1, None, True)
    assert _tables.dispersion(packed, SEP.encode(), 1, None).unsure() == [0, 1]
    table = compiled_dispersion(packed, 1, None)
    by_token = {row.token: row for row in table}
    assert str(by_token["a"].juilland_d) == "1.000000"
    out = io.BytesIO()
    write_dispersion(table, out)
    assert out.getvalue().decode() == dispersion_table_of_counts({p: Counter(c) for p, c in counted.items()})


def test_a_key_without_its_part_is_refused():
    table = merge_packs([pack({"a": 1})], 1, None, True)
    with pytest.raises(ValueError, match="separator"):
        _tables.dispersion(table, SEP.encode(), 1, None)
    with pytest.raises(ValueError, match="separator"):
        _tables.long_table(table, SEP.encode(), 1, None)
