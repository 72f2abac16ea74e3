"""The jieba-exact tokenizer counts exactly what jieba counts, and gives
exactly jieba's tokens in order.

Differential property tests (hypothesis) compare its counts with the naive
program (`naive.py`), and its ordered tokens with jieba's own list, on random
texts in every mode, with and without the HMM, with and without a user
dictionary; further tests pin each known difference between rjieba and jieba.
"""

from __future__ import annotations

import functools
from collections import Counter

import pytest

rjieba = pytest.importorskip("rjieba")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from wordfreq.tokenizers.jieba_exact import ExactJiebaTokenizer, available  # noqa: E402
from wordfreq.tokenizers.jieba_py import cut_points_for_mode  # noqa: E402

from naive import naive_counts  # noqa: E402

if available() is not None:  # pragma: no cover - another rjieba or jieba
    pytest.skip(f"jieba-exact unavailable: {available()}", allow_module_level=True)

MODES = ["accurate", "all", "search"]

# A user dictionary with every kind of line load_userdict accepts: a BOM, CRLF
# and blank lines, frequencies and tags or neither (jieba then suggests a
# frequency against the dictionary as it stands at that line), a word given
# twice, a word of the default dictionary given again (jieba adds to its total
# without taking the old frequency off), a word with frequency 0 (a force
# split for jieba's HMM), words of ASCII letters only, mixing scripts, with a
# hyphen or underscore, and one with a space and one outside jieba's Han range
# (neither can ever match).
USER_DICT = "\r\n".join(
    [
        "\ufeff云栖茶舍 10 nz",
        "青禾线 20",
        "",
        "梧桐坊市集 nz",
        "雾溪古镇",
        "青禾线",
        "北京 300",
        "杭研 0",
        "iPhone 50 n",
        "3D打印 8",
        "Wi-Fi",
        "x_y",
        "New York 7",
        "㐀㐁 5",
        "来到了网",
    ]
).encode("utf-8")
# Deleting a word of the default dictionary (frequency 0) takes another path.
USER_DICT_DELETE = "北京大学 0\n清华\n大厦 0\n".encode()

# Pieces of text: dictionary words, unknown names (for the HMM), words that
# mix scripts, Latin letters and digits joined by jieba's block punctuation,
# characters outside U+4E00-U+9FD5 (CJK Extension A, B and C, U+9FD6-U+9FFF,
# compatibility ideographs), rare and traditional characters, runs on which
# the HMM has ties, other scripts, and every kind of whitespace.
PIECES = [
    "我们", "在", "北京", "北京大学", "清华大学", "中华人民共和国", "的", "了", "是", "一个",
    "研究生命起源", "结婚的和尚未结婚的", "他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所",
    "网球拍卖会", "我来到北京清华大学", "青禾线", "云栖茶舍", "梧桐坊市集", "雾溪古镇", "杭研",
    "韩冰冰", "哈哈哈哈", "呵呵呵", "嗯嗯", "呵", "呵呵", "哈", "哈哈", "嘻嘻", "丁丁", "一一",
    "T恤", "AT&T", "C++", "c#", "B超", "AA制", "IP地址", "卡拉OK", "iPhone", "iPhone6", "Wi-Fi", "3D打印",
    "x_y",
    "1-30", "www.example.com", "3.5%", "50%", "WES-5.4.5", "1.2.3", "2008-06-04", "a_b", "x@y.com",
    "a&b", "abc", "ABC123", "e-mail", "+", "#", "&", "%", "-", ".", "_", "@", "--", "..", "%%", "++",
    "於", "於是", "臺灣", "說話", "們", "恹", "懨", "咲", "円", "妩", "咲恹懨恹懨恹妩", "円円懨恹懨円咲",
    "㐀", "䶯䶰", "䶵", "𠀀", "𦡦", "𪜀", "鿖", "鿗", "鿿", "\uf900", "\uf901", "\ufa0e", "\U0002f800",
    "ＷＴＯ", "１２３", "（", "）", "，", "。", "！", "ひらがな", "カタカナ", "ｶﾀｶﾅ", "한국어",
    "Привет", "Ωμέγα", "😀", "👪", "é", "\x00", "\udc80", "\udcff",
    " ", "  ", "\t", "\n", "\r\n", "\r", "\u3000", "\xa0", "\x85", "\u200b", "\u2028", "\u2029",
    "\x0b", "\x0c", "\x1c", "\x1f",
]  # fmt: skip


def _hmm_gaps() -> list[str]:
    """Characters missing from some or all of jieba's HMM emission tables."""
    from jieba.finalseg import emit_P

    found: dict[str, list[str]] = {}
    for code in range(0x4E00, 0x9FD6):
        char = chr(code)
        states = "".join(s for s in "BMES" if char in emit_P[s])
        if states != "BMES":
            found.setdefault(states, []).append(char)
    return [char for chars in found.values() for char in chars[:: max(1, len(chars) // 12)]]


piece = st.one_of(
    st.sampled_from(PIECES),
    st.sampled_from(_hmm_gaps()),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # U+9FD6.. too
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),  # Extension A
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),  # compatibility
    st.characters(min_codepoint=0x20000, max_codepoint=0x2FA1F),  # Extensions B-F, compatibility supplement
    st.characters(codec="utf-8"),
    st.text(alphabet="abcXYZ019-._%+#&@", min_size=1, max_size=6),
)
texts = st.lists(piece, max_size=40).map("".join)


@functools.cache
def exact(mode: str, hmm: bool, user_dict: bytes | None) -> ExactJiebaTokenizer:
    return ExactJiebaTokenizer(mode, hmm, user_dict)


def exact_counts(
    text: str, mode: str = "accurate", hmm: bool = True, user_dict: bytes | None = None
) -> Counter[str]:
    counts: Counter[str] = Counter()
    exact(mode, hmm, user_dict).add_counts(text, counts)
    return Counter(p for t, n in counts.items() for p in t.split() for _ in range(n))


def check(text: str, mode: str = "accurate", hmm: bool = True, user_dict: bytes | None = None) -> None:
    expected = naive_counts([text], mode=mode, hmm=hmm, user_dict=user_dict)
    assert exact_counts(text, mode, hmm, user_dict) == expected, (text, mode, hmm)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
@pytest.mark.parametrize("user_dict", [None, USER_DICT], ids=["default-dict", "user-dict"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_counts_equal_jiebas(text: str, mode: str, hmm: bool, user_dict: bytes | None) -> None:
    check(text, mode, hmm, user_dict)


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_counts_equal_jiebas_after_deleting_words(text: str, mode: str) -> None:
    check(text + "北京大学大厦清华", mode, True, USER_DICT_DELETE)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
def test_a_long_realistic_text(sample_corpus, mode: str, hmm: bool) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(sample_corpus.rglob("*.txt")))
    check(text * 3, mode, hmm)
    check(text, mode, hmm, USER_DICT)


def route_tie_text() -> str:
    """Routes like 呵|呵呵 and 呵呵|呵 are equally likely: which one wins depends
    on the last bits of the sums, so on jieba's exact total (rjieba's own is 3
    less: it counts B超, listed twice in dict.txt, once), and with the HMM the
    counts differ (a single 呵 joins the buffer next to it)."""
    import random

    from naive import _jieba

    reference = _jieba(None)
    reference.check_initialized()
    freq = reference.FREQ
    words = sorted(w for w, f in freq.items() if f > 0 and 2 <= len(w) <= 4 and "\u4e00" <= w[0] <= "\u9fd5")
    rng = random.Random(5)
    pieces = ["呵", "呵呵", "哈", "哈哈", "嘻嘻", "嘻"]
    texts = []
    for _ in range(2000):
        texts.append("".join(rng.choice([*pieces, rng.choice(words)]) for _ in range(rng.randint(3, 12))))
    return "，".join(texts)


def test_route_ties_are_broken_like_jieba() -> None:
    text = route_tie_text()
    for user_dict in (None, USER_DICT, USER_DICT_DELETE):
        check(text, "accurate", True, user_dict)


def test_the_cli_adopting_rjiebas_default_instance_is_exact(tmp_path) -> None:
    """The CLI owns its process, so it adopts rjieba's default instance
    (correcting its total, adding the user's words) instead of building
    another: still jieba's table.  The route ties tell a wrong total."""
    from conftest import run_wordfreq

    text = route_tie_text()
    (tmp_path / "ties.txt").write_text(text, encoding="utf-8")
    (tmp_path / "user.txt").write_bytes(USER_DICT)
    for workers, user_dict in [("1", None), ("1", USER_DICT), ("2", USER_DICT)]:
        extra = ["--user-dict", str(tmp_path / "user.txt")] if user_dict else []
        done = run_wordfreq("count", str(tmp_path / "ties.txt"), "-j", workers, "--chunk-size", "4K", *extra)
        assert done.returncode == 0, done.stderr
        rows = [line.split("\t") for line in done.stdout.decode("utf-8").splitlines()]
        assert Counter({t: int(n) for t, n in rows}) == naive_counts([text], user_dict=user_dict)


def test_the_python_loops_are_exact_too(sample_corpus) -> None:
    """Where wordfreq.tokenizers._speedups could not be compiled, the same loops run in Python."""
    from functools import partial

    from wordfreq.tokenizers import speedups
    from wordfreq.tokenizers.jieba_exact import _hmm_model

    model = _hmm_model()
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(sample_corpus.rglob("*.txt")))
    text += route_tie_text() + "1-30 www.example.com 咲恹懨恹懨恹妩"
    for mode in ("accurate", "search"):
        tok = ExactJiebaTokenizer(mode, True, None)
        tok._count_route = speedups.count_route_py
        tok._finalseg._han_words = partial(speedups.hmm_cut_py, model.emit, model.start, model.trans)
        counts: Counter[str] = Counter()
        tok.add_counts(text, counts)
        assert Counter(p for t, n in counts.items() for p in t.split() for _ in range(n)) == naive_counts(
            [text], mode=mode
        )
        assert tok.ordered(text) == jiebas_list(text, mode, True, None)


# -- jieba's tokens in order ----------------------------------------------------


def jiebas_list(text: str, mode: str, hmm: bool, user_dict: bytes | None) -> list[str]:
    """jieba's own tokens of ``text``, with ``user_dict`` loaded by load_userdict."""
    from naive import _jieba

    reference = _jieba(user_dict)
    if mode == "search":
        return list(reference.cut_for_search(text, HMM=hmm))
    return list(reference.cut(text, cut_all=mode == "all", HMM=hmm))


def check_ordered(text: str, mode: str, hmm: bool = True, user_dict: bytes | None = None) -> None:
    tok = exact(mode, hmm, user_dict)
    expected = jiebas_list(text, mode, hmm, user_dict)
    assert tok.ordered(text) == expected, (text, mode, hmm)
    assert list(tok.tokenize(text)) == expected


# Besides the pieces above: high surrogates, the private-use characters that
# stand in for the special characters (one of them the mark), carriage
# returns before line feeds around the special characters.
ordered_piece = st.one_of(
    piece,
    st.sampled_from(["\ud800", "\udbff\udc00", "\ue001", "\ue002", "\ue000", "\r\x00\n", "\r\r\n\n"]),
)
ordered_texts = st.lists(ordered_piece, max_size=40).map("".join)


@pytest.mark.parametrize("mode", ["accurate", "search"])
@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
@pytest.mark.parametrize(
    "user_dict", [None, USER_DICT, USER_DICT_DELETE], ids=["default-dict", "user-dict", "deleting-dict"]
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ordered_texts)
def test_ordered_is_jiebas_list(text: str, mode: str, hmm: bool, user_dict: bytes | None) -> None:
    check_ordered(text, mode, hmm, user_dict)


@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ordered_texts)
def test_ordered_all_mode_is_jiebas_own(text: str, hmm: bool) -> None:
    check_ordered(text, "all", hmm, USER_DICT)


@pytest.mark.parametrize("mode", ["accurate", "search"])
@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
def test_ordered_on_a_long_realistic_text(sample_corpus, mode: str, hmm: bool) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(sample_corpus.rglob("*.txt")))
    text += route_tie_text()[:20000] + "1-30 www.example.com 咲恹懨恹懨恹妩 iPhone6 Wi-Fi x_y 杭研 \x00鿖\r\n"
    for user_dict in (None, USER_DICT):
        check_ordered(text, mode, hmm, user_dict)
        for line in text.splitlines(keepends=True)[:200]:
            check_ordered(line, mode, hmm, user_dict)


@pytest.mark.parametrize("mode", ["accurate", "search"])
def test_ordered_when_the_text_holds_every_mark(mode: str) -> None:
    """The special characters are cut around when no private-use mark is free."""
    from wordfreq.tokenizers.jieba_exact import _MARKS

    text = "他来到了网易\x00杭研大厦" + "".join(_MARKS) + "鿖咲恹懨恹\r\udc80\n懨恹妩㐀"
    for hmm in (True, False):
        check_ordered(text, mode, hmm)
        check_ordered(text, mode, hmm, USER_DICT)


def test_ordered_follows_jiebas_force_split_words() -> None:
    """A word given frequency 0 anywhere in the process (jieba's
    Force_Split_Words is process-wide) changes how jieba cuts a buffer: the
    cached buffers' tokens are forgotten."""
    from jieba import finalseg

    text = "他来到了网易杭研大厦"
    saved = set(finalseg.Force_Split_Words)
    try:
        finalseg.Force_Split_Words.discard("杭研")
        check_ordered(text, "accurate")
        assert "杭研" in exact("accurate", True, None).ordered(text)
        finalseg.Force_Split_Words.add("杭研")
        check_ordered(text, "accurate")
        check_ordered(text, "search")
        assert "杭研" not in exact("accurate", True, None).ordered(text)
    finally:
        finalseg.Force_Split_Words.clear()
        finalseg.Force_Split_Words.update(saved)


# -- the known differences of rjieba, one by one ------------------------------


@pytest.mark.parametrize("mode", ["accurate", "search"])
def test_latin_runs_joined_by_punctuation_are_split_like_jieba(mode: str) -> None:
    """(1) rjieba's HMM keeps `1-30` whole; jieba.finalseg splits it."""
    assert rjieba.Jieba().cut("1-30", True) == ["1-30"]
    for text, tokens in [
        ("1-30", ["1", "-", "30"]),
        ("www.example.com", ["www", ".", "example", ".", "com"]),
        ("WES-5.4.5", ["WES", "-", "5.4", ".", "5"]),
        ("第12-13页", ["第", "12", "-", "13", "页"]),
    ]:
        if mode == "accurate":
            assert exact_counts(text) == Counter(tokens)
        check(text, mode)


@pytest.mark.parametrize("mode", MODES)
def test_characters_outside_jiebas_han_range_stand_alone(mode: str) -> None:
    """(2) rjieba takes CJK Extension A/B, U+9FD6.. and compatibility
    ideographs for Han; jieba ends a block at each and makes it a token."""
    text = "讥䶯䶰𦡦鿖中文\uf900\U0002f800"
    assert rjieba.Jieba().cut(text, True) != ["讥", "䶯", "䶰", "𦡦", "鿖", "中文", "\uf900", "\U0002f800"]
    if mode == "accurate":
        assert exact_counts(text) == Counter(["讥", "䶯", "䶰", "𦡦", "鿖", "中文", "\uf900", "\U0002f800"])
    check(text, mode)
    check(text, mode, hmm=False)


@pytest.mark.parametrize("mode", ["accurate", "search"])
def test_hmm_ties_are_broken_like_jieba(mode: str) -> None:
    """(3) rjieba rounds the HMM's emission probabilities, so where two cuts
    are equally likely (恹 and 懨 have the same probabilities) it may choose
    the other one."""
    text = "咲恹懨恹懨恹妩"
    assert rjieba.Jieba().cut(text, True) == ["咲恹懨恹", "懨恹妩"]
    if mode == "accurate":
        assert exact_counts(text) == Counter(["咲恹懨", "恹懨恹妩"])
    check(text, mode)
    check("円円懨恹懨円咲恹懨妩咲懨懨咲円円", mode)


def test_force_split_words_from_a_user_dictionary() -> None:
    """jieba splits an HMM word given frequency 0 into its characters."""
    text = "他来到了网易杭研大厦"
    check(text, "accurate", True, USER_DICT)
    assert "杭研" not in exact_counts(text, "accurate", True, USER_DICT)


def test_the_interface() -> None:
    assert available() is None
    for mode in MODES:
        tok = exact(mode, True, None)
        assert tok.cut_points is cut_points_for_mode(mode)
        assert tok.engine.startswith("jieba-exact (rjieba")
        assert list(tok.tokenize("")) == []


def test_a_user_dictionary_is_parsed_once_by_jieba_with_its_errors() -> None:
    """jieba's load_userdict alone reads a user dictionary: the words it
    adds, in order of first mention, with their frequencies before the load;
    and its error for a file that is not UTF-8."""
    import jieba

    from wordfreq.tokenizers.jieba_exact import _load_user_dict

    from naive import _jieba

    default = _jieba(None)
    default.check_initialized()
    tok = jieba.Tokenizer()
    tok.initialize()
    before = _load_user_dict(tok, USER_DICT)
    assert list(before) == [
        "云栖茶舍", "青禾线", "梧桐坊市集", "雾溪古镇", "北京", "杭研", "iPhone", "3D打印",
        "Wi-Fi", "x_y", "New York", "㐀㐁", "来到了网",
    ]  # fmt: skip
    assert before == {w: default.FREQ.get(w, 0) for w in before}
    assert before["北京"] > 0 and tok.FREQ["北京"] == 300 and tok.FREQ["杭研"] == 0
    assert "add_word" not in vars(tok)  # jieba's own method again
    not_utf8 = "好词 3\n".encode() + b"\xff\xfe 2\n"
    with pytest.raises(ValueError, match="must be utf-8"):
        _load_user_dict(tok, not_utf8)
    assert "add_word" not in vars(tok)
    with pytest.raises(ValueError, match="must be utf-8"):
        ExactJiebaTokenizer("accurate", True, not_utf8)
