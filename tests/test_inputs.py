"""Real corpora in: compressed files, JSON Lines, other encodings, other tokenizers, filters."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordfreq import count
from wordfreq.cli import cli
from wordfreq.counting.filters import is_number, is_punct
from wordfreq.errors import InputError
from wordfreq.tokenizers import TOKENIZERS, TokenizerSpec, build_tokenizer

from conftest import PIECES, cli_runner
from naive import naive_counts, read_text


@pytest.fixture
def article(sample_corpus: Path) -> Path:
    return sample_corpus / "news" / "qinghe_line.txt"


@pytest.mark.parametrize(
    ("suffix", "compress"), [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)]
)
def test_compressed_files_give_the_plain_files_table(tmp_path: Path, article: Path, suffix, compress) -> None:
    packed = tmp_path / f"a.txt{suffix}"
    packed.write_bytes(compress(article.read_bytes()))
    expected = naive_counts([read_text(str(article))])
    for workers in (1, 2):
        assert count([str(packed)], workers=workers, chunk_size=500).counts == expected


def test_zstd_files_are_read_when_zstandard_is_installed(tmp_path: Path, article: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    packed = tmp_path / "a.txt.zst"
    packed.write_bytes(zstandard.ZstdCompressor().compress(article.read_bytes()))
    assert count([str(packed)], workers=1).counts == naive_counts([read_text(str(article))])


def test_zstd_without_zstandard_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_zstandard(name: str, *args: object, **kwargs: object) -> object:
        if name == "zstandard":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_zstandard)
    (tmp_path / "a.txt.zst").write_bytes(b"\x28\xb5\x2f\xfd")
    with pytest.raises(InputError, match=r"a.txt.zst: reading .zst files needs .*pip install '\.\[zstd\]'"):
        count([str(tmp_path / "a.txt.zst")], workers=1)


def test_a_truncated_gzip_file_is_an_error_naming_it(tmp_path: Path, article: Path) -> None:
    packed = tmp_path / "cut.txt.gz"
    data = gzip.compress(article.read_bytes() * 20)
    packed.write_bytes(data[: len(data) // 2])
    result = cli_runner().invoke(cli, ["count", str(packed)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"wordfreq: error: {packed}: cannot read: Compressed file ended")


def test_gb18030_gives_the_utf8_table_at_any_chunk_size(tmp_path: Path, sample_corpus: Path) -> None:
    texts = [read_text(str(p)) for p in sorted(sample_corpus.rglob("*.txt"))]
    for i, text in enumerate(texts):
        (tmp_path / f"{i}.txt").write_bytes(text.encode("gb18030"))
    expected = naive_counts(texts)
    for chunk_size in (7, 300, 1 << 20):
        got = count([str(tmp_path)], encoding="gb18030", chunk_size=chunk_size, workers=2).counts
        assert got == expected


def write_jsonl(path: Path, records: list[object]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_json_lines_count_each_records_text(tmp_path: Path, sample_corpus: Path) -> None:
    paragraphs = [
        line for p in sorted(sample_corpus.rglob("*.txt")) for line in read_text(str(p)).split("\n")
    ]
    records = [{"id": i, "meta": {"title": text, "tags": ["x"]}} for i, text in enumerate(paragraphs)]
    write_jsonl(tmp_path / "a.jsonl", records)
    expected = naive_counts(paragraphs)
    for workers, chunk_size in [(1, 100), (2, 1000), (2, 1 << 20)]:
        got = count([str(tmp_path / "a.jsonl")], field="meta.title", workers=workers, chunk_size=chunk_size)
        assert got.counts == expected
    data = (tmp_path / "a.jsonl").read_bytes()
    from_stdin = count(["-"], stdin=io.BytesIO(data), field="meta.title", workers=2, chunk_size=700)
    assert from_stdin.counts == expected
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(data))
    assert count([str(tmp_path / "a.jsonl.gz")], field="meta.title", workers=1).counts == expected


def test_json_strings_may_hold_raw_line_separators(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [{"t": "我们\u2028北京"}, {"t": "天安门\u0085x"}])
    assert "\u2028" in (tmp_path / "a.jsonl").read_text(encoding="utf-8")
    got = count([str(tmp_path / "a.jsonl")], field="t", workers=1).counts
    assert got == naive_counts(["我们\u2028北京", "天安门\u0085x"])


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "line 1201: not valid JSON"),
        ('{"other": 1}', "line 1201: no text at field 'meta.title'"),
        ('{"meta": {"title": 3}}', "line 1201: no text at field 'meta.title'"),
        ('{"meta": {"title": "a\\ud800b"}}', r"line 1201: the text holds a lone surrogate \(U\+D800\)"),
    ],
)
def test_a_bad_record_names_the_file_and_line(
    tmp_path: Path, workers: int, bad_line: str, message: str
) -> None:
    lines = [json.dumps({"meta": {"title": f"第{i}行文本"}}, ensure_ascii=False) for i in range(2000)]
    lines[1200] = bad_line
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"a.jsonl: {message}"):
        count([str(path)], field="meta.title", workers=workers, chunk_size=4096)
    with pytest.raises(InputError, match=f"<stdin>: {message}"):
        count(
            ["-"], stdin=io.BytesIO(path.read_bytes()), field="meta.title", workers=workers, chunk_size=4096
        )
    skipped = count([str(path)], field="meta.title", workers=workers, chunk_size=4096, skip_bad_records=True)
    assert skipped.bad_records == 1
    result = cli_runner().invoke(cli, ["count", str(path), "--field", "meta.title", "--skip-bad-records"])
    assert result.exit_code == 0 and "1 bad records skipped" in result.stderr


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(st.lists(st.sampled_from(PIECES), max_size=8).map("".join), max_size=8),
    mode=st.sampled_from(["accurate", "all", "search"]),
    chunk_size=st.integers(1, 200),
)
def test_records_joined_by_line_feeds_count_as_separate_cuts(
    records: list[str], mode: str, chunk_size: int
) -> None:
    data = "".join(json.dumps({"t": r}) + "\n" for r in records).encode()
    got = count(["-"], stdin=io.BytesIO(data), field="t", mode=mode, chunk_size=chunk_size, workers=1)
    assert got.counts == naive_counts(records, mode=mode)


def test_a_line_feed_is_a_cut_point_of_every_tokenizer() -> None:
    for name in TOKENIZERS:
        if name == "jieba-rs":
            pytest.importorskip("rjieba")
        for mode in ("accurate", "all", "search") if name.startswith("jieba") else ("accurate",):
            assert build_tokenizer(TokenizerSpec(name, mode)).cut_points.fullmatch("\n"), (name, mode)


def test_include_and_exclude_filter_the_files_of_directories(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("alpha", encoding="utf-8")
    (tmp_path / "b.md").write_text("beta", encoding="utf-8")
    (tmp_path / "sub" / "c.txt").write_text("gamma", encoding="utf-8")

    def tokens(**options: object) -> set[str]:
        return set(count([str(tmp_path)], workers=1, tokenizer="whitespace", **options).counts)  # type: ignore[arg-type]

    assert tokens(include=["*.txt"]) == {"alpha", "gamma"}
    assert tokens(exclude=["sub/*"]) == {"alpha", "beta"}
    assert tokens(include=["*.txt"], exclude=["c.*"]) == {"alpha"}


def test_a_binary_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("alpha", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    result = cli_runner().invoke(cli, ["count", str(tmp_path), "--tokenizer", "whitespace"])
    assert result.exit_code == 0 and result.stdout == "alpha\t1\n"
    assert f"wordfreq: warning: skipping {tmp_path / 'image.png'}: looks like a binary file" in result.stderr


def test_utf16_is_not_mistaken_for_binary(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("我们 北京".encode("utf-16"))
    got = count([str(tmp_path)], encoding="utf-16", tokenizer="whitespace", workers=1).counts
    assert got == Counter({"我们": 1, "北京": 1})


def test_whitespace_and_char_tokenizers(tmp_path: Path, sample_corpus: Path) -> None:
    texts = [read_text(str(p)) for p in sorted(sample_corpus.rglob("*.txt"))]
    for workers, chunk_size in [(1, 13), (2, 1000)]:
        words = count([str(sample_corpus)], tokenizer="whitespace", workers=workers, chunk_size=chunk_size)
        assert words.counts == Counter(w for t in texts for w in t.split())
        chars = count([str(sample_corpus)], tokenizer="char", workers=workers, chunk_size=chunk_size)
        assert chars.counts == Counter(c for t in texts for c in t if not c.isspace())


def test_jieba_options_are_refused_for_other_tokenizers() -> None:
    result = cli_runner().invoke(cli, ["count", "-", "--tokenizer", "char", "--mode", "all"], input=b"x")
    assert result.exit_code == 2
    assert "Invalid value for '--mode': the all mode is for the jieba tokenizers only, not 'char'" in (
        result.stderr
    )


def test_lowercase_folds_tokens_after_segmentation() -> None:
    got = count(["-"], stdin=io.BytesIO("Apple apple APPLE 我们".encode()), lowercase=True, workers=1)
    assert got.counts == Counter({"apple": 3, "我们": 1})


def test_filters(tmp_path: Path) -> None:
    text = "我们 在 北京 。 ， 3.5% ２０２５ ٣ 1,000 1-30 x C++ ~ 的 的 的 abc".encode()
    stop = tmp_path / "stop.txt"
    stop.write_text("的\n\n在\n", encoding="utf-8")

    def tokens(**options: object) -> set[str]:
        return set(count(["-"], stdin=io.BytesIO(text), tokenizer="whitespace", workers=1, **options).counts)  # type: ignore[arg-type]

    everything = tokens()
    assert everything - tokens(stopwords=str(stop)) == {"的", "在"}
    assert everything - tokens(no_punct=True) == {"。", "，", "~"}
    assert everything - tokens(no_numbers=True) == {"3.5%", "２０２５", "٣", "1,000"}
    assert everything - tokens(min_length=2) == {"在", "。", "，", "٣", "x", "~", "的"}
    assert set(
        count(["-"], stdin=io.BytesIO(text), tokenizer="whitespace", workers=1, min_count=2).counts
    ) == {"的"}
    assert (
        len(count(["-"], stdin=io.BytesIO(text), tokenizer="whitespace", workers=1, max_rows=3).counts) == 3
    )


def test_punct_and_number_rules() -> None:
    assert is_punct("，。") and is_punct("~+") and not is_punct("a.") and not is_punct("")
    assert (
        is_number("3.5%")
        and is_number("٣")
        and is_number("１２")
        and not is_number("%")
        and not is_number("3a")
    )


def test_filters_in_workers_equal_filters_in_process(sample_corpus: Path) -> None:
    options = dict(no_punct=True, no_numbers=True, min_length=2, lowercase=True)
    one = count([str(sample_corpus)], workers=1, **options).counts  # type: ignore[arg-type]
    two = count([str(sample_corpus)], workers=2, chunk_size=1000, **options).counts  # type: ignore[arg-type]
    assert one == two and one


def test_the_whitespace_rule_drops_and_splits_tokens() -> None:
    from collections import Counter

    from wordfreq.counting.tasks import finish_counts

    mixed = Counter({"a b": 2, "": 1, " \u3000": 3, "x": 1, "b": 1, "c\x1fd": 1, "e\x00": 4})
    assert finish_counts(mixed) == Counter({"b": 3, "a": 2, "x": 1, "c": 1, "d": 1, "e\x00": 4})
    clean = Counter({"我们": 2, "e\x00": 1})
    assert finish_counts(clean) is clean and clean == Counter({"我们": 2, "e\x00": 1})
