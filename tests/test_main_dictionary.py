"""--dict: jieba's main dictionary replaced, as jieba.set_dictionary does; the table stays jieba's own."""

from __future__ import annotations

import io
import random
from collections import Counter
from pathlib import Path

import jieba
import pytest

from wordfreq import count

from conftest import PIECES, random_text, run_wordfreq

# A small main dictionary: some of the pieces' words (not all: the HMM finds the rest), and a few others.
DICTIONARY = "\n".join(
    ["我们 500 r", "北京 300 ns", "天安门 50 ns", "中华 20 nz", "人民 400 n", "共和国 30 n", "成立 80 v"]
    + ["了 9000 ul", "经济 200 n", "发展 300 vn", "的 30000 uj", "云栖 5 nr", "茶舍 3 n", "喝茶 12 v"]
    + ["研究 100 vn", "生命 80 n", "起源 20 n", "结婚 40 v", "和尚 30 nr", "尚未 20 d", "下午 60 t"]
)


def naive_with_dictionary(texts: list[str], dictionary: Path, mode: str, tmp_path: Path) -> Counter[str]:
    """jieba with ``dictionary`` as its main dictionary (its cache file kept in ``tmp_path``)."""
    tokenizer = jieba.Tokenizer(dictionary=str(dictionary))
    tokenizer.tmp_dir = str(tmp_path)
    counts: Counter[str] = Counter()
    for text in texts:
        if mode == "search":
            tokens = tokenizer.cut_for_search(text)
        else:
            tokens = tokenizer.cut(text, cut_all=mode == "all")
        for token in tokens:
            counts.update(token.split())
    return counts


@pytest.fixture
def dictionary(tmp_path: Path) -> Path:
    path = tmp_path / "main.txt"
    path.write_text(DICTIONARY + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("tokenizer", ["jieba", "jieba-py"])
@pytest.mark.parametrize("mode", ["accurate", "search", "all"])
def test_the_table_is_jiebas_with_that_dictionary(
    tokenizer: str, mode: str, dictionary: Path, tmp_path: Path
) -> None:
    rng = random.Random(f"{tokenizer}-{mode}")
    texts = [random_text(rng, 400) for _ in range(3)]
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"{i}.txt"
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(path)
    expected = naive_with_dictionary(texts, dictionary, mode, tmp_path)
    for workers, chunk_size in [(1, 1 << 20), (2, 97)]:
        result = count(
            paths,
            tokenizer=tokenizer,
            mode=mode,
            dict=str(dictionary),
            workers=workers,
            chunk_size=chunk_size,
        )
        assert result.counts == expected, (workers, chunk_size)


def test_the_dictionary_changes_the_table(dictionary: Path, tmp_path: Path) -> None:
    text = "".join(PIECES[:20]) * 3
    own = count(["-"], stdin=io.BytesIO(text.encode()), workers=1).counts
    given = count(["-"], stdin=io.BytesIO(text.encode()), workers=1, dict=str(dictionary)).counts
    assert own != given


def test_the_compiled_tokenizer_loads_it(dictionary: Path, tmp_path: Path) -> None:
    source = tmp_path / "t.txt"
    source.write_text("我们在北京", encoding="utf-8")
    result = run_wordfreq("count", str(source), "-v", "--dict", str(dictionary))
    assert result.returncode == 0, result.stderr
    assert "computed in C (exact)" in result.stderr.decode()
    assert result.stdout.decode().splitlines()[0].split("\t")[0] in {"我们", "在", "北京"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tokenizer", "jieba-rs"], "rjieba cannot load a main dictionary"),
        (["--tokenizer", "whitespace"], "a main dictionary is for the jieba tokenizers only"),
    ],
)
def test_tokenizers_that_cannot_load_it_refuse(args: list[str], message: str, dictionary: Path) -> None:
    result = run_wordfreq("count", "-", "--dict", str(dictionary), *args, input=b"x")
    assert result.returncode == 2
    assert "Invalid value for '--dict'" in result.stderr.decode() and message in result.stderr.decode()


def test_a_line_jieba_cannot_read_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("我们 500 r\n北京\n", encoding="utf-8")
    result = run_wordfreq("count", "-", "--dict", str(bad), input=b"x")
    assert result.returncode == 2
    assert "bad.txt: line 2: expected 'word frequency [tag]'" in result.stderr.decode()
    with pytest.raises(ValueError):  # and jieba itself refuses it too
        jieba.Tokenizer().gen_pfdict(bad.open("rb"))
