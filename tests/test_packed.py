"""Packed tables (`wordfreq.reduce.packs`): the same table as Counters give, compiled or in Python,
through the
API and the CLI."""

from __future__ import annotations

import contextlib
import io
import random
import sys
from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import wordfreq
from wordfreq.cli import cli
from wordfreq.errors import OutputError
from wordfreq.reduce import packs as packed
from wordfreq.reduce.order import Row
from wordfreq.tables.formats import write_rows

from conftest import cli_runner

# Tokens never hold a lone surrogate (UTF-8 cannot encode one): every other code point, NUL included.
tokens = st.text(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=("Cs",)), max_size=12
)
parts = st.lists(st.dictionaries(tokens, st.integers(1, 2**62), max_size=40), min_size=1, max_size=9)
no_overflow = st.lists(st.dictionaries(tokens, st.integers(1, 2**61), max_size=40), min_size=1, max_size=3)


def expected_rows(dicts: list[dict[str, int]], min_count: int, max_rows: int | None) -> list[Row]:
    """The table the unpacked path makes: summed Counters, filtered, in table order, cut."""
    total: Counter[str] = Counter()
    for counts in dicts:
        total.update(counts)
    rows = sorted(((t, n) for t, n in total.items() if n >= min_count), key=lambda row: (-row[1], row[0]))
    return rows[:max_rows] if max_rows is not None else rows


@contextlib.contextmanager
def compiled_or_not(compiled: bool) -> Iterator[None]:
    """``wordfreq.reduce.packs`` with its compiled functions, or (``compiled`` false) in Python."""
    saved = packed._tables
    if not compiled:
        packed._tables = None
    try:
        yield
    finally:
        packed._tables = saved


def written(rows: object) -> bytes | OutputError:
    out = io.BytesIO()
    try:
        write_rows(rows, out, "tsv")  # type: ignore[arg-type]
    except OutputError as err:
        return err
    return out.getvalue()


def check_table(
    table: packed.PackedTable | None, dicts: list[dict[str, int]], min_count: int, max_rows: int | None
) -> None:
    if max(expected_rows(dicts, 1, None), key=lambda row: row[1], default=("", 0))[1] > 2**63 - 1:
        assert table is None  # a sum beyond 64 bits: the caller sums Counters instead
        return
    assert table is not None
    expected = expected_rows(dicts, min_count, max_rows)
    assert table.rows(0, len(table)) == expected and len(table) == len(expected)
    assert list(packed.PackedRows(table, batch=7)) == expected
    assert table.tokens == sum(n for _, n in expected)
    assert list(table.to_dict().items()) == expected
    got, want = written(packed.PackedRows(table)), written(expected)
    assert got == want if isinstance(want, bytes) else str(got) == str(want)


@settings(max_examples=300, deadline=None)
@given(dicts=parts, min_count=st.integers(1, 2**62), max_rows=st.none() | st.integers(0, 50))
def test_packed_sum_is_the_counter_sum_in_table_order(
    dicts: list[dict[str, int]], min_count: int, max_rows: int | None
) -> None:
    min_count = min_count if min_count % 3 == 0 else 1  # mostly no minimum: every row checked
    packs = [packed.pack(counts) for counts in dicts]
    assert None not in packs and packed._tables is not None
    check_table(packed.merge_packs(packs, min_count, max_rows), dicts, min_count, max_rows)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(dicts=no_overflow, max_rows=st.none() | st.integers(0, 50))
def test_python_packs_and_merge_are_the_compiled_ones(
    dicts: list[dict[str, int]], max_rows: int | None
) -> None:
    compiled = [packed.pack(counts) for counts in dicts]
    with compiled_or_not(False):
        in_python = [packed.pack(counts) for counts in dicts]
        table = packed.merge_packs(in_python, 1, max_rows)  # type: ignore[arg-type]
    assert in_python == compiled
    assert isinstance(table, packed.PyPackedTable) and table.tsv() is None
    check_table(table, dicts, 1, max_rows)
    for pack, counts in zip(in_python, dicts):
        assert dict(packed.unpack(pack)) == counts  # type: ignore[arg-type]


def raw_pack(rows: list[tuple[str, int]]) -> tuple[bytes, bytes]:
    """``rows`` laid out as a pack, in their order, repeats kept (as a held n-gram table gives them)."""
    keys = b"".join(len(utf8).to_bytes(4, sys.byteorder) + utf8 for utf8 in (t.encode() for t, _ in rows))
    return keys, array("q", [n for _, n in rows]).tobytes()


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(tokens, st.integers(0, 2**62)), max_size=60).flatmap(
        lambda rows: st.permutations(rows + rows[: len(rows) // 2])
    ),
    compiled=st.booleans(),
)
def test_sort_pack_sorts_and_sums_repeated_rows(rows: list[tuple[str, int]], compiled: bool) -> None:
    """An unsorted pack with repeated rows becomes the pack of their sums (None past int64: counts are
    never negative, so a partial sum passes it only if the whole does), compiled or in Python."""
    total: Counter[str] = Counter()
    for token, n in rows:
        total[token] += n
    with compiled_or_not(compiled):
        got = packed.sort_pack(raw_pack(rows))
    assert got == packed.pack(dict(total))


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(tokens, st.integers(-(2**63), 2**63 - 1)), max_size=40),
    compiled=st.booleans(),
)
def test_run_lines_are_the_rows_of_a_pack_in_its_order(rows: list[tuple[str, int]], compiled: bool) -> None:
    """A pack (sorted or not, repeats and all) as the lines of a spill run: row, count, 0 documents."""
    with compiled_or_not(compiled):
        got = packed.run_lines(raw_pack(rows))
    assert got == "".join(f"{row}\t{n}\t0\n" for row, n in rows).encode()


def test_run_lines_refuse_a_malformed_pack() -> None:
    keys, counts = raw_pack([("b", 1), ("a", 2)])
    for bad in [(keys[:-1], counts), (keys, counts + b"x"), (keys,)]:
        with pytest.raises(ValueError, match="pack"):
            packed.run_lines(bad)  # type: ignore[arg-type]


def test_sort_pack_refuses_a_malformed_pack_and_a_sum_beyond_int64() -> None:
    keys, counts = raw_pack([("b", 1), ("a", 2)])
    for bad in [(keys[:-1], counts), (keys + b"x", counts), (keys, counts[:-1]), (keys,), [keys, counts]]:
        with pytest.raises(ValueError, match="pack"):
            packed.sort_pack(bad)  # type: ignore[arg-type]
    assert packed.sort_pack(raw_pack([("a", 2**62), ("b", 1), ("a", 2**62)])) is None
    assert packed.sort_pack(raw_pack([])) == (b"", b"")


def test_a_token_utf8_cannot_encode_is_not_packed() -> None:
    assert packed.pack({"a\ud800": 1}) is None and packed.pack({"a": 2**63}) is None


@settings(max_examples=150, deadline=None)
@given(
    tables=st.lists(
        st.dictionaries(tokens, st.tuples(st.integers(1, 2**40), st.integers(0, 2**40)), max_size=30),
        min_size=1,
        max_size=4,
    ),
    buffer=st.integers(1, 64),
)
def test_document_counts_travel_with_their_rows_through_table_files(
    tables: list[dict[str, tuple[int, int]]], buffer: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``attach_docs`` gives each row its document count (0 where the docs pack lacks it), the table
    file keeps it, and the k-way merge of such files gives the three-column rows and TSV in table
    order, as Python writes them."""
    from wordfreq.reduce.order import _tables

    directory = tmp_path_factory.mktemp("files")
    paths, expected, seen = [], [], set()
    for i, rows in enumerate(tables):
        rows = {t: v for t, v in rows.items() if t not in seen}  # files of partitions: no row in two
        seen.update(rows)
        table = _tables.merge_packs([packed.pack({t: n for t, (n, _) in rows.items()})], 1, None)
        docs = {t: d for t, (_, d) in rows.items() if d}
        table.attach_docs(packed.pack(docs))
        assert table.rows() == sorted(
            ((t, n, docs.get(t, 0)) for t, (n, _) in rows.items()), key=lambda r: (-r[1], r[0])
        )
        path = directory / f"{i}.rows"
        path.write_bytes(table.records())
        paths.append(str(path))
        expected += table.rows()
    expected.sort(key=lambda row: (-row[1], row[0]))
    merge = _tables.TableMerge(paths, buffer, 1)  # one word after each count: the document count
    got, docs = merge.take(len(expected) + 1)
    got.set_docs(docs)
    assert got.rows() == expected and got.tokens == sum(n for _, n, _ in expected)
    tsv = got.tsv()  # None leaves a row with a tab or a line break to the Python writer
    assert tsv == written(expected) if tsv is not None else any({"\t", "\n"} & set(r[0]) for r in expected)
    merge.close()


@settings(max_examples=150, deadline=None)
@given(dicts=parts)
def test_sum_packs_is_sort_pack_of_the_packs_laid_end_to_end(dicts: list[dict[str, int]]) -> None:
    from wordfreq.reduce.order import _tables
    from wordfreq.reduce.runs import joined

    packs = [packed.pack(counts) for counts in dicts]
    try:
        expected = _tables.sort_pack(joined(packs))  # type: ignore[arg-type]
    except OverflowError:
        with pytest.raises(OverflowError):
            _tables.sum_packs(packs)
        return
    assert _tables.sum_packs(packs) == expected
    assert _tables.sum_packs([]) == (b"", b"")


def test_a_pack_out_of_token_order_is_refused() -> None:
    keys, counts = packed.pack({"a": 1, "b": 2})  # type: ignore[misc]
    swapped = keys[5:] + keys[:5], counts
    with pytest.raises(ValueError, match="malformed"):
        packed.merge_packs([swapped], 1, None)


@pytest.mark.parametrize(
    ("token", "message"),
    [("a\nb", "contains a line break"), ("a\t12", "ends in a tab and digits")],
)
def test_packed_tsv_refuses_what_the_python_writer_refuses(token: str, message: str) -> None:
    table = packed.merge_packs([packed.pack({"x": 5, token: 1, "a\tb": 1})], 1, None)  # type: ignore[list-item]
    with pytest.raises(OutputError, match=message):
        write_rows(packed.PackedRows(table), io.BytesIO())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def many_types(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Text of a few thousand distinct tokens (Latin words between Chinese ones), in three files."""
    rng = random.Random(2026)
    root = tmp_path_factory.mktemp("many")
    hanzi = (
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
        "同工也能下过子说产种面而方后多定行学法所民得经"
    )
    for i in range(3):
        words = []
        for _ in range(20_000):
            if rng.random() < 0.5:
                words.append("".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 5))))
            else:
                words.append("".join(rng.choice(hanzi) for _ in range(rng.randint(1, 3))))
        (root / f"{i}.txt").write_text(" ".join(words) + "\n", encoding="utf-8")
    return root


def test_a_count_by_two_workers_comes_back_packed_and_equal(many_types: Path) -> None:
    one = wordfreq.count([many_types], workers=1, chunk_size=1 << 16)
    two = wordfreq.count([many_types], workers=2, chunk_size=1 << 16)
    assert two.packed is not None and two.types > 10_000
    assert (two.tokens, two.types) == (one.tokens, one.types)
    assert list(two.rows()) == list(one.rows())
    assert two.counts == one.counts and two.packed is None  # read, the Counter replaces the packed table
    two.counts["new"] = 10**9  # and a change to it shows in the rows
    assert next(iter(two.rows())) == ("new", 10**9)


@pytest.mark.parametrize("extra", [[], ["--min-count", "3"], ["--max-rows", "1000"], ["--ngram", "2"]])
def test_cli_tables_of_two_workers_are_byte_identical_to_one(many_types: Path, extra: list[str]) -> None:
    runner: CliRunner = cli_runner()
    outputs = []
    for workers in ("1", "2"):
        result = runner.invoke(
            cli, ["count", str(many_types), "-q", "-j", workers, "--chunk-size", "64KB", *extra]
        )
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout_bytes)
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") > 900


def test_packed_rows_count_against_the_parents_memory_budget(tmp_path: Path) -> None:
    """Packed rows count at their own size; past the share they are spilled as they are, with the rest."""
    from wordfreq.counting.tasks import PartialCount
    from wordfreq.reduce.partial import due_to_spill
    from wordfreq.reduce.spill import Spill

    counts = {f"w{i}": i + 1 for i in range(1000)}
    pack = packed.pack(counts)
    size = len(pack[0]) + len(pack[1])  # type: ignore[index]
    part = PartialCount(counts=Counter({"w0": 5, "x": 1}), packs=[pack], finished=True)  # type: ignore[list-item]
    assert not due_to_spill(part, Spill(size + 200, str(tmp_path)))
    spill = Spill(size + 199, str(tmp_path))
    assert due_to_spill(part, spill) and part.packs == [pack]
    spill.write(part)
    assert not part.packs and not part.counts and len(part.runs) == 1
    lines = Path(part.runs[0]).read_text(encoding="utf-8").splitlines()
    assert sorted(lines) == sorted([f"{t}\t{n}\t0" for t, n in counts.items()] + ["w0\t5\t0", "x\t1\t0"])


def test_the_rows_of_a_packed_count_are_a_sequence_as_a_list_of_rows_is(many_types: Path) -> None:
    """docs/api.md's ``result.rows()[:10]``: indexing, slicing and reversing as on a list."""
    rows = wordfreq.count([many_types], workers=2, chunk_size=1 << 16).rows()
    assert not isinstance(rows, list)
    listed = list(rows)
    assert rows[:10] == listed[:10] and rows[-3:] == listed[-3:] and rows[::997] == listed[::997]
    assert rows[0] == listed[0] and rows[-1] == listed[-1] and rows[5:2] == []
    assert list(reversed(rows)) == listed[::-1]
    with pytest.raises(IndexError):
        rows[len(listed)]
