"""Counting parts of speech (``--pos``, ``--pos-include``, ``--pos-exclude``) equals the naive loop.

The naive loop (`naive.naive_pos_counts`) runs each whole file through
``jieba.posseg.cut``; the table must equal it byte for byte for any worker
count, chunk size and start method (the Dask engine: ``test_dask.py``), with
the HMM on and off, with user dictionaries with and without tags and with a
main dictionary of one's own; and the options are checked once, a bad value
being exit 2.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import jieba
import pytest
from naive_parts import dispersion_table_of_counts, long_table_of_counts

from wordfreq import count, dispersion_table, sorted_rows, write_dispersion, write_long_rows
from wordfreq.analyses.stats import table_stats
from wordfreq.errors import OptionError, OutputError
from wordfreq.tables.formats import jieba_tagged_text

from conftest import run_wordfreq
from naive import naive_pos_counts, read_text

USER_DICT_TAGGED = "云栖茶舍 10 nz\n青禾线 20 ns\n梧桐坊 nt\n下午茶 5\n".encode()
USER_DICT_UNTAGGED = "云栖茶舍 10\n青禾线 20\n梧桐坊\n".encode()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def table(counts: Counter[str]) -> str:
    return "".join(f"{t}\t{n}\n" for t, n in sorted_rows(counts))


def naive(root: Path, **options: object) -> str:
    return table(naive_pos_counts((read_text(str(p)) for p in files_under(root)), **options))  # type: ignore[arg-type]


def counted(root: Path, **options: object) -> str:
    return table(count([str(root)], **options).counts)  # type: ignore[arg-type]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("chunk_size", [64, 1000, 1 << 20])
def test_sample_corpus_equals_the_naive_posseg_loop(
    sample_corpus: Path, workers: int, chunk_size: int
) -> None:
    expected = naive(sample_corpus)
    assert "/n\t" in expected
    assert counted(sample_corpus, pos=True, workers=workers, chunk_size=chunk_size) == expected


@pytest.mark.parametrize("hmm", [True, False])
@pytest.mark.parametrize("tokenizer", ["jieba", "jieba-py"])
def test_generated_corpus_with_and_without_the_hmm(generated_corpus: Path, hmm: bool, tokenizer: str) -> None:
    expected = naive(generated_corpus, hmm=hmm)
    got = counted(generated_corpus, pos=True, hmm=hmm, tokenizer=tokenizer, workers=2, chunk_size=97)
    assert got == expected


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_other_start_methods(sample_corpus: Path, start_method: str) -> None:
    got = counted(sample_corpus, pos=True, workers=2, chunk_size=500, start_method=start_method)
    assert got == naive(sample_corpus)


@pytest.mark.parametrize("user_dict", [USER_DICT_TAGGED, USER_DICT_UNTAGGED], ids=["tagged", "untagged"])
def test_user_dictionaries_with_and_without_tags(
    sample_corpus: Path, tmp_path: Path, user_dict: bytes
) -> None:
    path = tmp_path / "user.txt"
    path.write_bytes(user_dict)
    expected = naive(sample_corpus, user_dict=user_dict)
    assert counted(sample_corpus, pos=True, user_dict=str(path), workers=2, chunk_size=300) == expected


def test_a_main_dictionary_with_tags(sample_corpus: Path, tmp_path: Path) -> None:
    """``--dict``: a small dictionary of one's own (most of jieba's words missing: more HMM)."""
    import jieba

    with jieba.Tokenizer().get_dict_file() as f:
        lines = [line for line in f.read().decode("utf-8").splitlines() if len(line.split(" ")[0]) <= 2]
    path = tmp_path / "dict.txt"
    path.write_text("\n".join(lines[::7]) + "\n", encoding="utf-8")
    expected = naive(sample_corpus, dictionary=str(path))
    assert counted(sample_corpus, pos=True, dict=str(path), workers=2, chunk_size=700) == expected


@pytest.mark.parametrize(
    ("include", "exclude"), [("n*", None), ("v,ns,nr", None), (None, "x,u*,p"), ("n*,v*", "nr*")]
)
@pytest.mark.parametrize("pos", [True, False])
def test_the_tag_filter(generated_corpus: Path, include: str | None, exclude: str | None, pos: bool) -> None:
    expected = naive(
        generated_corpus,
        with_tags=pos,
        include=include.split(",") if include else (),
        exclude=exclude.split(",") if exclude else (),
    )
    got = counted(
        generated_corpus, pos=pos, pos_include=include, pos_exclude=exclude, workers=2, chunk_size=211
    )
    assert got == expected


def test_word_filters_look_at_the_word(sample_corpus: Path) -> None:
    """--no-punct, --lowercase, --min-length judge the word of ``word/tag`` and keep its tag."""
    naive_counts = naive_pos_counts(read_text(str(p)) for p in files_under(sample_corpus))
    expected: Counter[str] = Counter()
    for token, n in naive_counts.items():
        word, _, tag = token.rpartition("/")
        word = word.lower()
        if len(word) >= 2:
            expected[f"{word}/{tag}"] += n
    got = counted(sample_corpus, pos=True, lowercase=True, min_length=2, workers=2, chunk_size=400)
    assert got == table(expected)


def test_n_grams_of_tagged_tokens(sample_corpus: Path) -> None:
    """Bigrams of ``word/tag``, line by line, computed in C or by jieba.posseg, are the same."""
    compiled = counted(sample_corpus, pos=True, ngram="2", workers=2, chunk_size=500)
    python = counted(sample_corpus, pos=True, ngram="2", tokenizer="jieba-py", workers=1)
    assert compiled == python
    assert "/v " in compiled
    first = read_text(str(files_under(sample_corpus)[0])).split("\n")[0]
    from wordfreq.tokenizers.jieba_posseg import pos_tokenizer

    pairs = pos_tokenizer().tag(first)
    pieces = [f"{p}/{t}" for w, t in pairs for p in w.split()]
    assert f"{pieces[0]} {pieces[1]}\t" in compiled


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"pos": True, "mode": "all"}, "pos"),
        ({"pos": True, "tokenizer": "jieba-rs"}, "pos"),
        ({"pos_include": "n*", "tokenizer": "char"}, "pos_include"),
        ({"pos_include": "n**"}, "pos_include"),
        ({"pos_exclude": ""}, "pos_exclude"),
        ({"pos_exclude": "a b"}, "pos_exclude"),
    ],
)
def test_bad_options_are_refused_once(sample_corpus: Path, options: dict[str, object], option: str) -> None:
    with pytest.raises(OptionError) as caught:
        count([str(sample_corpus)], **options)  # type: ignore[arg-type]
    assert caught.value.option == option


def test_a_main_dictionary_without_tags_is_exit_2(sample_corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "dict.txt"
    path.write_text("北京 300\n天安门 100\n", encoding="utf-8")
    done = run_wordfreq("count", str(sample_corpus), "--pos", "--dict", str(path))
    assert done.returncode == 2
    assert "--dict" in done.stderr.decode() and "word frequency tag" in done.stderr.decode()
    assert done.stdout == b""


def test_the_command_line(sample_corpus: Path) -> None:
    done = run_wordfreq("count", str(sample_corpus), "--pos", "--pos-include", "n*,v", "-q")
    assert done.returncode == 0, done.stderr
    expected = naive(sample_corpus, include=("n*", "v"))
    assert done.stdout.decode() == expected
    bad = run_wordfreq("count", str(sample_corpus), "--pos-include", "n**")
    assert bad.returncode == 2 and "--pos-include" in bad.stderr.decode()


def test_stats_give_the_share_of_each_tag(sample_corpus: Path, tmp_path: Path) -> None:
    naive_counts = naive_pos_counts(read_text(str(p)) for p in files_under(sample_corpus))
    total = sum(naive_counts.values())
    by_tag: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    for token, n in naive_counts.items():
        by_tag[token.rpartition("/")[2]] += n
        rows[token.rpartition("/")[2]] += 1
    result = table_stats(sorted_rows(naive_counts), pos=True)
    assert result.tag_rows()[0][0] == by_tag.most_common(1)[0][0]
    assert {tag: (n, k) for tag, n, _, k in result.tag_rows()} == {t: (by_tag[t], rows[t]) for t in by_tag}
    assert sum(share for _, _, share, _ in result.tag_rows()) == pytest.approx(1.0)
    table_path = tmp_path / "pos.tsv"
    table_path.write_text(table(naive_counts), encoding="utf-8")
    done = run_wordfreq("stats", "--pos", "--json", str(table_path))
    figures = json.loads(done.stdout)
    assert figures["tokens"] == total
    assert {entry["tag"]: entry["tokens"] for entry in figures["tags"]} == dict(by_tag)
    text = run_wordfreq("stats", "--pos", str(table_path)).stdout.decode()
    assert "tag" in text and "\nn " in text


def test_the_jieba_vocabulary_keeps_the_tags(sample_corpus: Path) -> None:
    """``--output-format jieba`` with --pos: ``word freq tag``, one line per word, which jieba.posseg
    then tags so."""
    done = run_wordfreq("count", str(sample_corpus), "--pos", "-q", "--output-format", "jieba")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    words = [line.split(" ")[0] for line in lines]
    assert len(words) == len(set(words))
    assert all(len(line.split(" ")) == 3 for line in lines)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(io.BytesIO(done.stdout))
    word, freq, tag = next(line.split(" ") for line in lines if line.split(" ")[2] == "n")
    assert tokenizer.FREQ[word] == int(freq)
    assert tokenizer.user_word_tag_tab[word] == tag


def test_the_jieba_vocabulary_sums_the_tags_of_a_word() -> None:
    rows = [("发展/v", 5), ("发展/vn", 7), ("北京/ns", 3), ("发展/n", 7)]
    assert jieba_tagged_text(rows) == "发展 19 vn\n北京 3 ns\n"
    with pytest.raises(OutputError, match="ASCII lowercase"):
        jieba_tagged_text([("词/N1", 2)])


def test_discover_refuses_tags(sample_corpus: Path) -> None:
    """discover counts plain tokens: parts of speech are refused, not ignored (kwic and collocates take
    them: tests/test_kwic.py, tests/test_collocates.py)."""
    from wordfreq import discover_words

    with pytest.raises(OptionError) as caught:
        discover_words([str(sample_corpus)], pos=True)
    assert caught.value.option == "pos"


@pytest.mark.parametrize(
    "options",
    [dict(workers=1), dict(workers=2, chunk_size=97), dict(workers=2, chunk_size=300, memory=64 << 10)],
)
def test_tags_by_file_equal_the_naive_loop_per_part(
    generated_corpus: Path, options: dict[str, object]
) -> None:
    """``--pos --part-by file``: the long table and the dispersion table are those of the naive posseg loop
    run on each file alone (issue 26), whether or not the keys spill."""
    by_file = {str(p): naive_pos_counts([read_text(str(p))]) for p in files_under(generated_corpus)}
    by_file = {part: counts for part, counts in by_file.items() if counts}
    with count([str(generated_corpus)], pos=True, part_by="file", per_part=True, **options) as result:
        out = io.BytesIO()
        write_long_rows(result.long_table(), out)
    assert out.getvalue().decode() == long_table_of_counts(by_file)
    with count([str(generated_corpus)], pos=True, part_by="file", dispersion=True, **options) as result:
        out = io.BytesIO()
        write_dispersion(dispersion_table(result), out)
    assert out.getvalue().decode() == dispersion_table_of_counts(by_file)
