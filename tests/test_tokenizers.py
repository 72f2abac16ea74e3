"""Tokenizers: jieba's rules are what we assume, and cut points never change tokens."""

from __future__ import annotations

import builtins
import io
import re
from collections import Counter

import jieba
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordfreq import OptionError, count
from wordfreq.cli import cli
from wordfreq.errors import WordfreqError
from wordfreq.tokenizers import TokenizerSpec, build_tokenizer, cut_points_for
from wordfreq.tokenizers.jieba_rs import parse_user_dict

from conftest import PIECES, cli_runner


def test_jieba_regexes_are_the_ones_the_cut_points_assume() -> None:
    # wordfreq.tokenizers.jieba_py derives its cut points from these two patterns.
    assert jieba.re_han_default.pattern == "([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)"
    assert jieba.re_skip_default.pattern == "(\r\n|\\s)"


def test_the_character_classes_are_jiebas_over_every_code_point() -> None:
    """`charclasses` says jieba's classes once: they are jieba's own."""
    from jieba import finalseg

    from wordfreq import charclasses

    every = "".join(map(chr, range(0x110000)))

    def members(pattern: str | re.Pattern[str]) -> str:
        return "".join(m.group() for m in re.finditer(pattern, every))

    assert members(jieba.re_han_default) == members(f"[{charclasses.BLOCK}]+")
    assert members(finalseg.re_han) == members(f"[{charclasses.HAN}]+")
    assert members(jieba.re_eng) == members(f"[{charclasses.ASCII_ALNUM}]")
    assert members(jieba.re_skip_default) == members(f"[{charclasses.WHITESPACE}]")
    assert members(f"[{charclasses.WHITESPACE}]") == "".join(filter(str.isspace, every))
    assert members(f"[{charclasses.ASCII_BLOCK}]") == members(f"[{charclasses.BLOCK}]").replace(
        members(f"[{charclasses.HAN}]"), ""
    )
    assert finalseg.re_skip.pattern == f"([{charclasses.ASCII_ALNUM}]+(?:\\.\\d+)?%?)"
    assert members(f"[{charclasses.ESCAPED_BYTES}]") == "".join(map(chr, range(0xDC80, 0xDD00)))


def test_jieba_rs_missing_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_rjieba(name: str, *args: object, **kwargs: object) -> object:
        if name == "rjieba":
            raise ImportError("No module named 'rjieba'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_rjieba)
    with pytest.raises(WordfreqError, match=r"pip install '\.\[jieba-rs\]'"):
        cut_points_for(TokenizerSpec("jieba-rs"))
    result = cli_runner().invoke(cli, ["count", "-", "--tokenizer", "jieba-rs"], input=b"x")
    assert result.exit_code == 1
    expected = "wordfreq: error: the jieba-rs tokenizer needs rjieba: pip install '.[jieba-rs]'\n"
    assert result.stderr == expected


def test_user_dict_lines_parse_as_jieba_reads_them() -> None:
    content = "\ufeff青禾线 20 nz\n云栖茶舍\n\n雾溪 古镇 3\n科创园站 ns\n".encode()
    assert parse_user_dict(content) == [
        ("青禾线", 20, "nz"),
        ("云栖茶舍", None, None),
        ("雾溪 古镇", 3, None),
        ("科创园站", None, "ns"),
    ]


texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=60).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, chunk_size=st.integers(1, 60), mode=st.sampled_from(["accurate", "all", "search"]))
def test_jieba_rs_cut_points_never_change_its_tokens(text: str, chunk_size: int, mode: str) -> None:
    pytest.importorskip("rjieba")
    data = text.encode("utf-8", "replace")
    text = data.decode("utf-8").removeprefix("\ufeff")
    tokenizer = build_tokenizer(TokenizerSpec("jieba-rs", mode))
    expected = Counter(p for t in tokenizer.tokenize(text) for p in t.split())
    stdin = io.BytesIO(data)
    got = count(["-"], stdin=stdin, tokenizer="jieba-rs", mode=mode, chunk_size=chunk_size, workers=1)
    assert got.counts == expected


def test_jieba_rs_user_dict_keeps_words_whole(sample_corpus) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("rjieba")
    text = "本市地铁青禾线今天开通，科创园站人很多。".encode()
    user_dict = str(sample_corpus.parent / "userdict.txt")
    plain = count(["-"], stdin=io.BytesIO(text), tokenizer="jieba-rs", workers=1).counts
    with_dict = count(["-"], stdin=io.BytesIO(text), tokenizer="jieba-rs", user_dict=user_dict, workers=1)
    assert "青禾线" not in plain
    assert with_dict.counts["青禾线"] == 1 and with_dict.counts["科创园站"] == 1


def test_without_the_compiled_tokenizer_the_default_is_jieba_itself_and_says_why(
    monkeypatch: pytest.MonkeyPatch, sample_corpus
) -> None:  # type: ignore[no-untyped-def]
    from wordfreq.tokenizers import jieba_compiled
    from wordfreq.tokenizers.jieba_py import JiebaTokenizer

    fast = count([str(sample_corpus)], workers=1)
    reason = "the compiled tokenizer was not built (no C compiler at install time)"
    monkeypatch.setattr(jieba_compiled, "_jieba", None)
    build_tokenizer.cache_clear()
    try:
        assert isinstance(build_tokenizer(TokenizerSpec("jieba")), JiebaTokenizer)
        slow = count([str(sample_corpus)], workers=1)
        result = cli_runner().invoke(cli, ["count", str(sample_corpus), "-v", "-o", "/dev/null"])
    finally:
        build_tokenizer.cache_clear()
    assert slow.counts == fast.counts
    assert fast.engine == "jieba, compiled (exact)" and slow.engine == "jieba (pure Python)"
    assert f"pure Python: {reason}" in result.stderr
    assert result.stderr.rstrip().endswith("; jieba (pure Python)")


def test_ordered_places_take_the_one_placement_that_fits_the_line() -> None:
    """jieba-rs's all mode: tokens in order of place, those of one place shortest first, leaving out only
    Han characters that are no word.  A token is not at the first place its text is found ('华' after
    '中华' in 中华华), and tokens that fit the line in no way, or in more than one, are refused, never
    placed by a guess."""
    from wordfreq.tokenizers.places import ordered_places

    def never(char: str) -> bool:
        return False

    assert ordered_places("中华华", ["中华", "华"], never) == [("中华", 0, 2), ("华", 2, 3)]
    assert ordered_places("中华人民", ["中", "中华", "华", "人", "人民", "民"], never) == [
        ("中", 0, 1),
        ("中华", 0, 2),
        ("华", 1, 2),
        ("人", 2, 3),
        ("人民", 2, 4),
        ("民", 3, 4),
    ]
    assert ordered_places("a b", ["a", " ", "b"], never) == [("a", 0, 1), ("b", 2, 3)]
    assert ordered_places("", [], never) == []
    assert ordered_places("们㐀们", ["们", "们"], "㐀".__eq__) == [("们", 0, 1), ("们", 2, 3)]
    with pytest.raises(OptionError, match="in no way"):
        ordered_places("ab", ["a"], never)  # b is left out
    with pytest.raises(OptionError, match="not in the line in order"):
        ordered_places("们㐀们", ["们", "们"], never)  # the second 们 is past a character kept out
    with pytest.raises(OptionError, match="more than one way"):
        ordered_places("aaa", ["a", "aa", "a"], never)  # aa at 0 or 1, the last a at 2 either way
    with pytest.raises(OptionError, match="not in the line"):
        ordered_places("ab", ["b", "a"], never)


def test_jieba_rs_all_mode_leaves_out_han_characters_that_are_no_word() -> None:
    """The rule `ordered_places` is given for jieba-rs: rjieba's cut_all makes no token of U+3400 or of
    龘 (no words), one of 们."""
    from wordfreq.tokenizers import TokenizerSpec, build_tokenizer

    tokenizer = build_tokenizer(TokenizerSpec(name="jieba-rs", mode="all"))
    assert tokenizer.tokenize("我们㐀龘x") == ["我", "我们", "们", "x"]
    assert tokenizer.places("我们㐀龘x") == [("我", 0, 1), ("我们", 0, 2), ("们", 1, 2), ("x", 4, 5)]
