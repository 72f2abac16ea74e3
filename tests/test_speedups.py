"""The loops of the exact tokenizer: their C and Python versions agree.

Each loop of `speedups` is compiled where a C compiler was found at install
time and falls back to its Python twin; both must give the same results on
every input of their contract (`count_route`: the same counts and missing
buffers for every route and every state of the delta cache; `hmm_cut`: the
same words; `count_all_han` and `count_all`: the same counts, whitespace
tokens included), and the C code must see the character classes of
`charclasses`.
"""

from __future__ import annotations

import re
import shutil
import sysconfig
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wordfreq.tokenizers import charclasses, speedups

from naive import naive_counts

compiled = pytest.mark.skipif(speedups._COMPILED is None, reason="wordfreq.tokenizers._speedups is not built")

# Steps as rjieba gives them: single Han characters inside and outside
# jieba's range, single ASCII block characters, runs of ASCII letters and
# digits, words, whitespace and punctuation, and odd ones.
step = st.one_of(
    st.sampled_from(list("我们的是了中国人一二鿕鿖") + list("+#&._%-@!") + ["abc", "A1", "x", "9", "ａｂ"]),
    st.sampled_from(["中国", "人民", "北京大学", " ", "\n", "，", "。", "呵呵", "a-b", "1.5", "é", "𠀀"]),
    st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=3),  # NUL: the separator
)
routes = st.lists(step, max_size=60)


def deltas_for(steps: list[str], known: float) -> dict[str, speedups.Delta]:
    """A delta cache holding a fraction ``known`` of the buffers of ``steps``,
    with deltas that add, remove and cancel tokens."""
    deltas: dict[str, speedups.Delta] = {}
    for i, key in enumerate(sorted(set(speedups.count_route_py(steps, Counter(), {})))):
        if i % 4 < known * 4:
            parts = key.split(speedups.SEP)
            change = Counter({"".join(parts): 1, parts[0]: 1})
            change.subtract(parts)
            deltas[key] = tuple((t, n) for t, n in change.items() if n)
    return deltas


@compiled
@settings(max_examples=500, deadline=None)
@given(steps=routes, known=st.sampled_from([0, 0.5, 1]), start=st.dictionaries(step, st.integers(1, 3)))
def test_compiled_and_python_agree(steps: list[str], known: float, start: dict[str, int]) -> None:
    deltas = deltas_for(steps, known)
    expected, actual = Counter(start), Counter(start)
    missing_py = speedups.count_route_py(steps, expected, deltas)
    missing_c = speedups._COMPILED.count_route(steps, actual, deltas)
    assert Counter(missing_c) == Counter(missing_py)
    assert actual == expected
    assert all(n > 0 for n in actual.values())


def test_buffers_are_maximal_runs_of_two_or_more_buffer_steps() -> None:
    steps = ["中国", "我", "的", "abc", "，", "了", "。", "a", "-", "1", "鿖", "是", "是"]
    counts: Counter[str] = Counter()
    missing = speedups.count_route(steps, counts, {})
    assert missing == ["我\x00的\x00abc", "a\x00-\x001", "是\x00是"]
    assert counts == Counter(steps)


def test_a_known_buffer_gets_its_delta_and_zero_counts_disappear() -> None:
    counts: Counter[str] = Counter()
    deltas = {"我\x00的": (("我的", 1), ("我", -1), ("的", -1))}
    assert speedups.count_route(["我", "的", "，"], counts, deltas) == []
    assert counts == Counter({"我的": 1, "，": 1})
    assert "我" not in counts


def test_the_compiled_loop_is_built_where_a_compiler_is() -> None:
    """CI has a C compiler: there the speedup must have been built, not
    silently skipped (the install goes on without it where there is none)."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler})")
    assert speedups.IMPLEMENTATION == "C"


# -- hmm_cut ------------------------------------------------------------------

# Characters with their own probabilities, two with equal ones (恹 懨: ties),
# rare ones missing from jieba's tables, and both ends of the range.
han = st.sampled_from(list("我们的中国人民大学北京恹懨円咲妩於") + ["\u4e00", "\u9fd5", "\u9fa5", "\u4e01"])
runs = st.lists(han, min_size=2, max_size=30).map("".join)


def models() -> list[speedups.HmmModel]:
    from wordfreq.tokenizers.jieba_exact import _hmm_model

    real = _hmm_model()
    # Everything equal: every comparison is a tie.
    flat = speedups.HmmModel(emit={}, start=(-1.0,) * 4, trans=(-1.0,) * 8)
    # jieba's transitions with few, coarse emissions: many ties, some not.
    coarse = speedups.HmmModel(
        emit={"我": (-1.0, -2.0, -1.0, -2.0), "们": (-2.0, -1.0, -1.0, -2.0), "中": (-1.0,) * 4},
        start=real.start,
        trans=real.trans,
    )
    return [real, flat, coarse]


MODELS = models()
CUTTERS = [model.cutter() for model in MODELS]


@compiled
@settings(max_examples=300, deadline=None)
@given(obs=runs)
def test_compiled_and_python_viterbi_agree(obs: str) -> None:
    for model, cut in zip(MODELS, CUTTERS):
        assert cut(obs) == speedups.hmm_cut_py(model.emit, model.start, model.trans, obs)


def test_viterbi_matches_jiebas_own() -> None:
    """The model and both loops against jieba.finalseg itself."""
    import random

    from jieba import finalseg

    from wordfreq.tokenizers.jieba_exact import _hmm_model

    model = _hmm_model()
    cut = model.cutter()
    rng = random.Random(8)
    alphabet = "我们的中国人民大学北京恹懨円咲妩於是在了有和"
    alphabet += "".join(chr(rng.randint(0x4E00, 0x9FD5)) for _ in range(40))
    for _ in range(500):
        obs = "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 12)))
        expected = list(finalseg.cut(obs))
        assert speedups.hmm_cut_py(model.emit, model.start, model.trans, obs) == expected
        assert cut(obs) == expected


@compiled
def test_compiled_viterbi_refuses_what_it_cannot_take() -> None:
    cut = CUTTERS[0]
    for bad in ["中", "", "中a", "中\U00020000"]:
        with pytest.raises(ValueError):
            cut(bad)


# -- count_all_han ------------------------------------------------------------

# Han characters and line feeds, alone or in runs: characters that are
# words, that only begin words (北 of 北京), that are in no word at all (丏,
# which rjieba leaves out of cut_all), repeated.
han_texts = st.lists(
    st.one_of(
        st.sampled_from(list("我们的中国人民大会堂北京哈丏丐鿕") + ["北京大学", "人民大会堂", "哈哈哈"])
    ),
    max_size=30,
).map(lambda pieces: "".join(pieces).replace("鿕", "\n"))

# rjieba's cut_all gives a run of line feeds as one token, listed once; a
# shorter run after it also occurs inside it.
LINE_FEED_RUNS = ["\n\n\n我\n\n", "\n\n\n丏\n\n", "\n\n丏\n", "北京\n\n\n丏\n北京大学\n\n丏丏\n\n"]


@compiled
@settings(max_examples=300, deadline=None)
@example(text=LINE_FEED_RUNS[0])
@example(text=LINE_FEED_RUNS[1])
@given(text=han_texts)
def test_compiled_and_python_all_mode_agree(text: str) -> None:
    import rjieba

    words = rjieba.cut_all(text)
    expected: Counter[str] = Counter()
    actual: Counter[str] = Counter()
    speedups.count_all_han_py(text, words, expected)
    speedups._COMPILED.count_all_han(text, words, actual)
    assert actual == expected


def all_han_twins() -> list:  # type: ignore[type-arg]
    twins = [speedups.count_all_han_py]
    if speedups._COMPILED is not None:
        twins.append(speedups._COMPILED.count_all_han)
    return twins


@settings(max_examples=200, deadline=None)
@example(text=LINE_FEED_RUNS[0])
@example(text=LINE_FEED_RUNS[1])
@example(text=LINE_FEED_RUNS[2])
@example(text=LINE_FEED_RUNS[3])
@given(text=han_texts)
def test_all_mode_walk_is_jiebas(text: str) -> None:
    """Both twins against jieba itself: its all-mode tokens other than
    whitespace, and every line feed of the text in exactly one token (a run
    of them is one, as rjieba gives it; jieba gives each alone, and counting
    drops them all)."""
    import rjieba

    words = rjieba.cut_all(text)
    for count_all_han in all_han_twins():
        counts: Counter[str] = Counter()
        count_all_han(text, words, counts)
        assert Counter({t: n for t, n in counts.items() if not t.isspace()}) == naive_counts(
            [text], mode="all"
        )
        assert sum(n * len(t) for t, n in counts.items() if t.isspace()) == text.count("\n")


# Whole texts: Han (U+4E00..U+9FD5 and beyond), ASCII block characters,
# every kind of whitespace, other scripts and symbols, lone surrogates.
all_mode_texts = st.lists(
    st.one_of(
        han_texts,
        st.sampled_from(["鿖", "㐀", "𠀀", "T恤", "1-30", "a_b", "x@y", "，", "。", "ＷＴＯ", "é", "\udc80"]),
        st.sampled_from([" ", "\t", "\r\n", "\u3000", "\xa0", "\x85", "\u2028", "\x1c"]),
        st.text(alphabet="abcXYZ019-._%+#&@", min_size=1, max_size=6),
        st.text(max_size=3),
    ),
    max_size=20,
).map("".join)


@compiled
@settings(max_examples=300, deadline=None)
@given(text=all_mode_texts)
def test_compiled_and_python_whole_all_mode_agree(text: str) -> None:
    import rjieba

    expected: Counter[str] = Counter()
    actual: Counter[str] = Counter()
    speedups.count_all_py(text, expected, rjieba.cut_all)
    speedups._COMPILED.count_all(text, actual, rjieba.cut_all)
    assert actual == expected


@compiled
def test_compiled_all_mode_refuses_words_not_in_the_text() -> None:
    with pytest.raises(ValueError):
        speedups._COMPILED.count_all_han("中国", ["中国", "人民"], Counter())


# -- character classes ----------------------------------------------------------


@compiled
def test_compiled_character_classes_are_charclasses_over_every_code_point() -> None:
    """The C loops spell jieba's classes again (is_han, is_ascii_alnum, ...):
    the same code points as `charclasses`, all 0x110000 of them."""
    every = "".join(map(chr, range(0x110000)))
    expected = bytearray(0x110000)
    for flag, body in [
        (1, charclasses.HAN),
        (2, charclasses.ASCII_ALNUM),
        (4, charclasses.ASCII_PUNCT),
        (8, charclasses.WHITESPACE),
    ]:
        for m in re.finditer(f"[{body}]+", every):
            expected[m.start() : m.end()] = bytes(b | flag for b in expected[m.start() : m.end()])
    assert speedups._COMPILED.char_classes() == bytes(expected)
