"""The route loop of the exact tokenizer: its C and Python versions agree.

`count_route` is compiled where a C compiler was found at install time and
falls back to `count_route_py`; both must give the same counts and the same
missing buffers, for every route and every state of the delta cache.
"""

from __future__ import annotations

import shutil
import sysconfig
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordfreq.tokenizers import speedups

compiled = pytest.mark.skipif(speedups._COMPILED is None, reason="wordfreq._speedups is not built")

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

# Han runs between single separators, from characters that are words, that
# only begin words (北 of 北京), that are in no word at all (丏), repeated.
han_texts = st.lists(
    st.one_of(
        st.sampled_from(list("我们的中国人民大会堂北京哈丏丐鿕") + ["北京大学", "人民大会堂", "哈哈哈"])
    ),
    max_size=30,
).map(lambda pieces: "".join(pieces).replace("鿕", "\n"))


@compiled
@settings(max_examples=300, deadline=None)
@given(text=han_texts)
def test_compiled_and_python_all_mode_agree(text: str) -> None:
    import rjieba

    words = rjieba.cut_all(text)
    expected: Counter[str] = Counter()
    actual: Counter[str] = Counter()
    speedups.count_all_han_py(text, words, expected)
    speedups._COMPILED.count_all_han(text, words, actual)
    assert actual == expected


@compiled
def test_compiled_all_mode_refuses_words_not_in_the_text() -> None:
    with pytest.raises(ValueError):
        speedups._COMPILED.count_all_han("中国", ["中国", "人民"], Counter())
