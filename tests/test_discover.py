"""wordfreq discover: exact statistics (against the naive program), its output, and its command line."""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordfreq.analyses.discovery import (
    BOUNDARY,
    Candidate,
    DiscoverResult,
    DiscoverSpec,
    bordered_runs,
    discover_words,
    hmm_keeps_whole,
)
from wordfreq.cli import cli

from conftest import SAMPLE_CORPUS, cli_runner, run_wordfreq
from naive import naive_counts, naive_discovery, read_text

# Few characters, so that strings repeat; punctuation, digits, Latin, whitespace and line ends between them.
HAN_PIECES = ["新", "词", "发", "现", "新词", "发现", "云栖", "茶舍", "𠀀", "〇", "豈"]
OTHER_PIECES = ["，", "。", "1", "a", " ", "\n", "\r\n", "\t", "ab", "１２", "\u3000", "—"]
# Words and what attaches to them, for the re-segmentation: 孩子们, 这朋友, ...
WORD_PIECES = ["孩子", "朋友", "老师", "们", "好", "来", "这"]
texts = st.one_of(
    st.lists(st.sampled_from(pieces * 3 + OTHER_PIECES), max_size=80).map("".join)
    for pieces in (HAN_PIECES, WORD_PIECES)
)
PERMISSIVE = {"min_count": 1, "min_pmi": -50.0, "pmi_step": 0.0, "min_entropy": 0.0}
# A main dictionary where the pieces above are words, and one pair of them
SMALL_DICTIONARY = "".join(
    f"{word} 5\n" for word in ["新", "词", "发", "现", "新词", "发现", "词发", *WORD_PIECES]
)


Figures = tuple[int, int, float, float, float, float, float]


def as_table(result: DiscoverResult) -> dict[str, Figures]:
    return {
        c.word: (c.count, c.whole, c.cohesion, c.left_entropy, c.right_entropy, c.junction, c.score)
        for c in result.candidates
    }


def assert_same(result: DiscoverResult, expected: dict[str, Figures]) -> None:
    """The candidates and every figure are the naive program's, in its rank order (up to float rounding)."""
    got = as_table(result)
    assert got.keys() == expected.keys()
    for word, figures in got.items():
        assert figures[:2] == expected[word][:2], word
        for ours, theirs in zip(figures[2:], expected[word][2:]):
            assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9), (word, figures, expected[word])
    words = [c.word for c in result.candidates]
    for before, after in zip(words, words[1:]):
        (c1, *_, s1), (c2, *_, s2) = expected[before], expected[after]
        assert s1 > s2 - 1e-9 and (abs(s1 - s2) > 1e-9 or (c1, after) >= (c2, before)), (before, after)


def write_files(directory: str, parts: list[str]) -> list[str]:
    paths = []
    for i, text in enumerate(parts):
        path = os.path.join(directory, f"{i}.txt")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        paths.append(path)
    return paths


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(texts, min_size=1, max_size=3),
    chunk_size=st.integers(1, 64),
    workers=st.sampled_from([1, 2]),
    max_length=st.integers(2, 5),
    thresholds=st.sampled_from(
        [PERMISSIVE, {"min_count": 2, "min_pmi": 0.5, "pmi_step": 0.25, "min_entropy": 0.5}, {"min_count": 3}]
    ),
    resegment=st.booleans(),
    dictionary=st.sampled_from([None, SMALL_DICTIONARY]),
)
def test_the_statistics_are_the_naive_programs(
    parts: list[str],
    chunk_size: int,
    workers: int,
    max_length: int,
    thresholds: dict[str, float],
    resegment: bool,
    dictionary: str | None,
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        paths = write_files(directory, parts)
        main = None
        if dictionary is not None:
            main = os.path.join(directory, "dict.txt")
            Path(main).write_text(dictionary, encoding="utf-8")
        options = dict(max_length=max_length, resegment=resegment, **thresholds)
        result = discover_words(paths, chunk_size=chunk_size, workers=workers, dict=main, **options)
        expected = naive_discovery(map(read_text, paths), dictionary=main, **options)  # type: ignore[arg-type]
    assert_same(result, expected)
    assert result.chars == sum(
        1 for part in parts for ch in part if "\u4e00" <= ch <= "\u9fff" or ch in "𠀀〇豈"
    )


def test_spilled_runs_give_the_same_statistics(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(
        "".join(read_text(str(p)) for p in sorted(SAMPLE_CORPUS.rglob("*.txt"))), encoding="utf-8"
    )
    spilled = discover_words(
        [corpus], chunk_size=2048, workers=2, memory=65536, temp_dir=str(tmp_path), **PERMISSIVE
    )
    assert_same(spilled, naive_discovery([read_text(str(corpus))], **PERMISSIVE))  # type: ignore[arg-type]
    assert sorted(os.listdir(tmp_path)) == ["corpus.txt"]  # the runs and DuckDB's files are gone


def test_the_dask_engine_gives_the_same_statistics(scheduler: str, tmp_path: Path) -> None:
    paths = write_files(
        str(tmp_path), ["新词发现，新词。发现新词\n云栖茶舍 云栖茶舍，新词发现", "发现新词，茶舍云栖"]
    )
    result = discover_words(paths, engine="dask", scheduler=scheduler, chunk_size=8, **PERMISSIVE)
    assert_same(result, naive_discovery(map(read_text, paths), **PERMISSIVE))  # type: ignore[arg-type]


def test_a_run_is_seen_with_its_neighbours() -> None:
    runs = list(bordered_runs("新词，发现 a云栖\n茶舍"))
    b = BOUNDARY
    assert runs == [f"{b}新词，", "，发现 ".replace(" ", b), "a云栖" + b, b + "茶舍" + b]


def test_candidates_never_span_what_is_not_han() -> None:
    text = "１２月３１日，中共。１２月３１日，中共。１２月３１日，中共。\n" * 3
    result = discover_words(["-"], stdin=io.BytesIO(text.encode()), **PERMISSIVE)
    assert [c.word for c in result.candidates] == ["中共"]  # never 月日 nor 日中: digits, punctuation between


def test_known_follows_the_dictionaries(tmp_path: Path) -> None:
    text = "云栖茶舍，新词发现。" * 4
    main = tmp_path / "main.txt"
    main.write_text("新词 5 n\n发现 7 v\n", encoding="utf-8")
    user = tmp_path / "user.txt"
    user.write_text("云栖茶舍\n", encoding="utf-8")
    every = {"resegment": False, **PERMISSIVE}  # jieba's HMM would cut 云栖茶舍
    result = discover_words(
        ["-"], stdin=io.BytesIO(text.encode()), dict=str(main), user_dict=str(user), **every
    )
    known = {c.word for c in result.candidates if c.known}
    assert known == {"新词", "发现", "云栖茶舍"}
    new_only = discover_words(["-"], stdin=io.BytesIO(text.encode()), dict=str(main), new_only=True, **every)
    assert {c.word for c in new_only.candidates} == {c.word for c in result.candidates} - {"新词", "发现"}
    assert not any(c.known for c in new_only.candidates)


def _words_of(text: str, main: str | None = None, **options: object) -> dict[str, Candidate]:
    """The candidates of ``text`` (permissive thresholds) with the main dictionary ``main`` ('word freq'
    lines), by word."""
    with tempfile.TemporaryDirectory() as directory:
        path = None
        if main is not None:
            path = os.path.join(directory, "dict.txt")
            Path(path).write_text(main, encoding="utf-8")
        result = discover_words(
            ["-"], stdin=io.BytesIO(text.encode()), dict=path, **{**PERMISSIVE, **options}
        )
    return {c.word: c for c in result.candidates}


def test_a_string_jiebas_hmm_cuts_apart_is_no_candidate() -> None:
    text = "他带着书，她带着笔。我带着你，带着他们。\n" * 3
    assert not hmm_keeps_whole("带着")  # a verb and its particle
    assert "带着" in _words_of(text, resegment=False) and "带着" not in _words_of(text)


def test_a_compound_of_two_known_words_is_no_candidate() -> None:
    text = "工作会议，工作会议。\n开会：工作会议\n" * 2
    main = "工作 5\n会议 5\n开会 5\n"
    assert hmm_keeps_whole("工作会议")
    assert "工作会议" in _words_of(text, main, resegment=False) and "工作会议" not in _words_of(text, main)


def test_an_occurrence_inside_a_dictionary_word_is_not_whole() -> None:
    found = _words_of("巴基斯坦，斯坦。斯坦，巴基斯坦。\n", "巴基斯坦 5\n")
    assert (found["斯坦"].count, found["斯坦"].whole) == (4, 2)


def test_a_candidate_needs_the_minimum_count_as_a_whole() -> None:
    text = "巴基斯坦，斯坦。斯坦，巴基斯坦。\n"
    assert "斯坦" not in _words_of(text, "巴基斯坦 5\n", min_count=3)
    assert "斯坦" in _words_of(text, "巴基斯坦 5\n", min_count=3, resegment=False)


def test_a_junction_as_free_as_the_ends_makes_a_phrase() -> None:
    # 孩子们 always starts a line (its left end: one neighbour, entropy 0); 孩子 and 们 combine freely
    text = "孩子们好。孩子们好。孩子来。孩子去。朋友们。老师们。\n".replace("。", "。\n")
    main = "孩子 5\n们 5\n好 5\n来 5\n去 5\n朋友 5\n老师 5\n"
    assert hmm_keeps_whole("孩子们")
    assert "孩子们" in _words_of(text, main, resegment=False) and "孩子们" not in _words_of(text, main)


def test_max_rows_keeps_the_first_candidates() -> None:
    text = "云栖茶舍，新词发现。梧桐坊，青禾线。" * 5
    every = discover_words(["-"], stdin=io.BytesIO(text.encode()), **PERMISSIVE)
    first = discover_words(["-"], stdin=io.BytesIO(text.encode()), max_rows=3, **PERMISSIVE)
    assert first.candidates == every.candidates[:3] and first.found == every.found


@pytest.mark.parametrize(
    ("keywords", "option"),
    [
        ({"max_length": 1}, "max_length"),
        ({"max_length": 13}, "max_length"),
        ({"min_count": 0}, "min_count"),
        ({"min_entropy": -1.0}, "min_entropy"),
        ({"min_pmi": float("nan")}, "min_pmi"),
    ],
)
def test_a_bad_threshold_names_its_option(keywords: dict[str, object], option: str) -> None:
    from wordfreq.errors import OptionError

    with pytest.raises(OptionError) as raised:
        DiscoverSpec(**keywords)  # type: ignore[arg-type]
    assert raised.value.option == option


# --- the command line ---------------------------------------------------------------------------------


def test_the_command_writes_a_header_and_one_row_per_candidate() -> None:
    result = run_wordfreq("discover", str(SAMPLE_CORPUS), "--min-count", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "word\tcount\twhole\tcohesion\tleft_entropy\tright_entropy\tjunction\tscore\tknown"
    rows = [line.split("\t") for line in lines[1:]]
    assert rows and all(len(row) == 9 and row[8] in ("0", "1") for row in rows)
    scores = [float(row[7]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert "candidates counted 2+ times" in result.stderr.decode()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_csv_and_jsonl_hold_the_same_candidates(fmt: str) -> None:
    tsv = run_wordfreq("discover", str(SAMPLE_CORPUS), "-q").stdout.decode().splitlines()
    other = run_wordfreq("discover", str(SAMPLE_CORPUS), "-q", "--output-format", fmt).stdout.decode()
    if fmt == "csv":
        words = [line.split(",")[0] for line in other.splitlines()]
    else:
        words = ["word"] + [json.loads(line)["word"] for line in other.splitlines()]
    assert words == [line.split("\t")[0] for line in tsv]


def test_the_jieba_format_is_a_user_dictionary_that_count_takes(tmp_path: Path) -> None:
    words = tmp_path / "new.txt"
    made = run_wordfreq(
        "discover",
        str(SAMPLE_CORPUS),
        "--new-only",
        "--min-entropy",
        "0.6",
        "--output-format",
        "jieba",
        "-o",
        str(words),
    )
    assert made.returncode == 0, made.stderr
    entries = [line.split(" ") for line in words.read_text(encoding="utf-8").splitlines()]
    assert entries and all(len(entry) == 2 and entry[1].isdigit() for entry in entries)
    counted = run_wordfreq("count", str(SAMPLE_CORPUS), "--user-dict", str(words), "-q")
    assert counted.returncode == 0, counted.stderr
    texts = [read_text(str(p)) for p in sorted(SAMPLE_CORPUS.rglob("*")) if p.is_file()]
    expected = naive_counts(texts, user_dict=words.read_bytes())
    table = dict(line.split("\t") for line in counted.stdout.decode().splitlines())
    assert {token: int(n) for token, n in table.items()} == dict(expected)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--max-length", "1"], "--max-length"),
        (["--min-count", "0"], "--min-count"),
        (["--min-entropy", "-1"], "--min-entropy"),
        (["--output-format", "gensim"], "--output-format"),
        (["--dict", "missing.txt"], "--dict"),
    ],
)
def test_a_bad_value_is_a_usage_error(
    args: list[str], flag: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli_runner().invoke(cli, ["discover", "-", *args], input=b"x")
    assert result.exit_code == 2, result.stderr
    assert f"'{flag}'" in result.stderr and "Traceback" not in result.stderr and result.stdout == ""


def test_a_missing_input_is_one_line_and_no_output_file(tmp_path: Path) -> None:
    out = tmp_path / "out.tsv"
    result = run_wordfreq("discover", str(tmp_path / "missing.txt"), "-o", str(out))
    assert result.returncode == 1
    assert result.stderr.decode().count("\n") == 1 and "missing.txt" in result.stderr.decode()
    assert sorted(os.listdir(tmp_path)) == []


def test_undecodable_bytes_are_an_error_or_replaced(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes("新词发现，".encode() * 3 + b"\xff" + "新词发现".encode() * 3)
    strict = run_wordfreq("discover", str(bad))
    assert strict.returncode == 1 and "bad.txt" in strict.stderr.decode() and "byte" in strict.stderr.decode()
    loose = ("--min-count", "2", "--min-pmi", "-50", "--pmi-step", "0", "--min-entropy", "0")
    replaced = run_wordfreq("discover", str(bad), "--errors", "replace", *loose)
    assert replaced.returncode == 0 and "1 undecodable bytes replaced" in replaced.stderr.decode()
    assert "新词" in replaced.stdout.decode()


def test_json_lines_are_read_by_field(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text(
        "".join(
            json.dumps({"text": "云栖茶舍，新词发现。", "id": i}, ensure_ascii=False) + "\n" for i in range(4)
        ),
        encoding="utf-8",
    )
    from_field = discover_words([records], field="text", **PERMISSIVE)
    plain = discover_words(["-"], stdin=io.BytesIO("云栖茶舍，新词发现。\n".encode() * 4), **PERMISSIVE)
    assert as_table(from_field) == as_table(plain)


def test_verbose_names_the_dictionary(tmp_path: Path) -> None:
    main = tmp_path / "main.txt"
    main.write_text("新词 5\n", encoding="utf-8")
    result = run_wordfreq("discover", str(SAMPLE_CORPUS), "-v", "--dict", str(main), "-o", os.devnull)
    assert "dictionary: the main dictionary given (1 word)" in result.stderr.decode()


def test_the_count_behind_a_discovery_reads_with_the_runs_reading_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every option of how the inputs are read (storage options of URLs too) reaches discovery's count."""
    from wordfreq import api
    from wordfreq.options import CountOptions, RunOptions, with_keywords

    seen = []

    def count(paths, count_options, run_options, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(count_options)
        raise RuntimeError("stop here")

    monkeypatch.setattr(api, "count", count)
    options, _ = with_keywords(
        CountOptions(), RunOptions(), {"storage_option": ("anon=true",), "field": "text", "encoding": "gbk"}
    )
    with pytest.raises(RuntimeError, match="stop here"):
        discover_words(["x.jsonl"], options)
    (counted,) = seen
    for part in ("storage", "records", "decoding", "selection", "conversion"):
        assert getattr(counted, part) == getattr(options, part), part
