"""N-grams and document counts: exact against the naive program, however the corpus is cut."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordfreq import OptionError, count
from wordfreq.cli import cli

from conftest import PIECES, SAMPLE_CORPUS, cli_runner
from naive import naive_doc_freq, naive_rows, read_text


def sample_texts() -> list[str]:
    return [read_text(str(p)) for p in sorted(SAMPLE_CORPUS.rglob("*.txt"))]


def corpus_rows(texts: list[str], **options: object) -> Counter[str]:
    total: Counter[str] = Counter()
    for text in texts:
        total.update(naive_rows(text, **options))  # type: ignore[arg-type]
    return total


@pytest.mark.parametrize("orders", [(2, 2), (1, 3), (3, 3)])
@pytest.mark.parametrize(("workers", "chunk_size"), [(1, 1), (1, 300), (2, 1000), (2, 1 << 20)])
def test_ngrams_equal_the_naive_program(orders: tuple[int, int], workers: int, chunk_size: int) -> None:
    got = count([str(SAMPLE_CORPUS)], ngram=orders, workers=workers, chunk_size=chunk_size)
    assert got.counts == corpus_rows(sample_texts(), orders=orders)


@pytest.mark.parametrize(("mode", "hmm"), [("search", True), ("all", False), ("accurate", False)])
def test_ngrams_in_every_mode(mode: str, hmm: bool) -> None:
    got = count([str(SAMPLE_CORPUS)], ngram="1-2", mode=mode, hmm=hmm, workers=2, chunk_size=500)
    assert got.counts == corpus_rows(sample_texts(), orders=(1, 2), mode=mode, hmm=hmm)


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_ngrams_under_other_start_methods(start_method: str) -> None:
    got = count([str(SAMPLE_CORPUS)], ngram=2, workers=2, chunk_size=700, start_method=start_method)
    assert got.counts == corpus_rows(sample_texts(), orders=(2, 2))


def test_ngram_tokens_are_the_unigram_tables_tokens() -> None:
    unigrams = count([str(SAMPLE_CORPUS)], workers=1).counts
    assert count([str(SAMPLE_CORPUS)], ngram=1, doc_freq=True, workers=2, chunk_size=400).counts == unigrams
    assert Counter(
        {t: n for t, n in count([str(SAMPLE_CORPUS)], ngram="1-2").counts.items() if " " not in t}
    ) == (unigrams)


@pytest.mark.parametrize("tokenizer", ["whitespace", "char", "jieba-py"])
def test_ngrams_of_other_tokenizers(tokenizer: str) -> None:
    text = "the cat sat\non the mat the cat\n\n我们 在 北京\r\nend"
    got = count(["-"], stdin=io.BytesIO(text.encode()), tokenizer=tokenizer, ngram=2, chunk_size=3)
    if tokenizer == "jieba-py":
        assert got.counts == naive_rows(text, orders=(2, 2))
        return
    split = (
        (lambda line: line.split())
        if tokenizer == "whitespace"
        else (lambda line: list(line.replace(" ", "")))
    )
    expected: Counter[str] = Counter()
    for line in text.split("\n"):
        pieces = [p for t in split(line) for p in t.split()]
        expected.update(" ".join(pair) for pair in zip(pieces, pieces[1:]))
    assert got.counts == expected


def test_an_ngram_never_crosses_a_line_feed_but_crosses_other_whitespace() -> None:
    got = count(["-"], stdin=io.BytesIO(b"a b\tc\r\nd  e\n"), tokenizer="whitespace", ngram=2)
    assert got.counts == Counter({"a b": 1, "b c": 1, "d e": 1})


def test_a_dropped_token_breaks_the_ngram() -> None:
    text = "我们在北京，北京欢迎你的朋友。"
    stop = frozenset({"的"})
    got = count(["-"], stdin=io.BytesIO(text.encode()), ngram="1-3", no_punct=True, stopwords=stop)
    assert got.counts == naive_rows(text, orders=(1, 3), stopwords=stop, no_punct=True)
    assert not any("，" in row or "你 朋友" in row for row in got.counts)


def test_ngrams_never_cross_files_or_records(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("北京", encoding="utf-8")
    (tmp_path / "b.txt").write_text("欢迎", encoding="utf-8")
    assert "北京 欢迎" not in count([str(tmp_path)], ngram=2).counts
    records = tmp_path / "r.jsonl"
    records.write_text('{"t": "北京"}\n{"t": "欢迎"}\n{"t": "我们\\n在"}\n', encoding="utf-8")
    assert count([str(records)], field="t", ngram=2).counts == Counter()


texts = st.lists(st.one_of(st.sampled_from([*PIECES, "\n", " ", "\r\n"]), st.text(max_size=2)), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=texts, chunk_size=st.integers(1, 64), low=st.integers(1, 3), span=st.integers(0, 2))
def test_any_chunking_gives_the_naive_ngrams(pieces: list[str], chunk_size: int, low: int, span: int) -> None:
    text = "".join(pieces).replace("\0", "")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    orders = (low, low + span)
    expected = naive_rows(text.removeprefix("\ufeff"), orders=orders)
    fd, path = tempfile.mkstemp(suffix=".txt")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        from_file = count([path], ngram=orders, workers=1, chunk_size=chunk_size).counts
    finally:
        os.unlink(path)
    from_stream = count(["-"], stdin=io.BytesIO(data), ngram=orders, workers=1, chunk_size=chunk_size).counts
    assert from_file == expected and from_stream == expected


def test_ngrams_on_the_dask_engine() -> None:
    pytest.importorskip("distributed")
    got = count([str(SAMPLE_CORPUS)], ngram="2-3", doc_freq=True, engine="dask", workers=2, chunk_size=600)
    counts, docs = naive_doc_freq(sample_texts(), orders=(2, 3))
    assert (got.counts, got.docs, got.documents) == (counts, docs, 7)


# Document counts.


@pytest.mark.parametrize(("workers", "chunk_size"), [(1, 1 << 20), (2, 200), (1, 1)])
@pytest.mark.parametrize("orders", [(1, 1), (1, 2)])
def test_files_are_documents(workers: int, chunk_size: int, orders: tuple[int, int]) -> None:
    got = count([str(SAMPLE_CORPUS)], doc_freq=True, ngram=orders, workers=workers, chunk_size=chunk_size)
    counts, docs = naive_doc_freq(sample_texts(), orders=orders)
    assert (got.counts, got.docs, got.documents) == (counts, docs, 7)


@pytest.mark.parametrize("chunk_size", [1, 64, 1 << 20])
def test_lines_are_documents(chunk_size: int) -> None:
    texts = sample_texts()
    lines = [line for text in texts for line in text.split("\n") if line.strip()]
    got = count([str(SAMPLE_CORPUS)], doc_freq=True, doc_unit="line", workers=2, chunk_size=chunk_size)
    counts, docs = naive_doc_freq(lines)
    assert (got.counts, got.docs, got.documents) == (counts, docs, len(lines))


def test_records_are_documents(tmp_path: Path) -> None:
    bodies = ["北京欢迎你", "我们在北京\n北京", "", "你好"]
    path = tmp_path / "r.jsonl"
    path.write_text(
        "".join(json.dumps({"t": b}, ensure_ascii=False) + "\n" for b in bodies), encoding="utf-8"
    )
    got = count([str(path)], field="t", doc_freq=True, chunk_size=8)
    counts, docs = naive_doc_freq(bodies)
    assert (got.counts, got.docs, got.documents) == (counts, docs, 4)
    as_file = count([str(path)], field="t", doc_freq=True, doc_unit="file")
    assert as_file.documents == 1 and set(as_file.docs.values()) == {1}  # type: ignore[union-attr]


def test_a_stream_is_one_document_however_it_is_cut() -> None:
    text = "北京欢迎你。\n" * 50
    got = count(["-"], stdin=io.BytesIO(text.encode()), doc_freq=True, chunk_size=16)
    assert got.docs == Counter({"北京": 1, "欢迎": 1, "你": 1, "。": 1}) and got.documents == 1


def test_min_count_and_max_rows_keep_the_document_column() -> None:
    got = count([str(SAMPLE_CORPUS)], doc_freq=True, min_count=3, max_rows=5)
    assert got.docs is not None and set(got.docs) == set(got.counts) and len(got.counts) == 5
    assert all(len(row) == 3 for row in got.rows())


def test_the_cli_writes_three_columns_and_reports_documents(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    args = ["count", str(SAMPLE_CORPUS), "--ngram", "2", "--doc-freq", "--summary-json", str(summary)]
    result = cli_runner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    counts, docs = naive_doc_freq(sample_texts(), orders=(2, 2))
    first = result.stdout.splitlines()[0].split("\t")
    assert int(first[1]) == max(counts.values()) and int(first[2]) == docs[first[0]]
    assert "n-grams" in result.stderr and "7 documents" in result.stderr
    figures = json.loads(summary.read_text(encoding="utf-8"))
    assert figures["documents"] == 7 and figures["ngrams"] == sum(counts.values())
    assert figures["types"] == len(counts) and figures["ngram"] == [2, 2]


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--ngram", "0"], "--ngram"),
        (["--ngram", "3-2"], "--ngram"),
        (["--ngram", "two"], "--ngram"),
        (["--doc-unit", "line"], "--doc-unit"),
        (["--doc-freq", "--doc-unit", "record"], "--doc-unit"),
    ],
)
def test_bad_row_options_are_usage_errors(args: list[str], flag: str) -> None:
    result = cli_runner().invoke(cli, ["count", "-", *args], input=b"x")
    assert result.exit_code == 2 and f"Invalid value for '{flag}'" in result.stderr


def test_the_api_parses_ngram_orders() -> None:
    with pytest.raises(OptionError) as error:
        count(["-"], stdin=io.BytesIO(b"x"), ngram=(2, 1))
    assert error.value.option == "ngram"
