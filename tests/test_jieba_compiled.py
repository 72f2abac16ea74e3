"""The compiled tokenizer gives exactly jieba's tokens: in order, counted,
and as n-gram rows.

Differential property tests (hypothesis) compare it with jieba itself on
random texts in every mode, with and without the HMM, with and without a user
dictionary (one that deletes words too); further tests pin the places where
an implementation of jieba could go wrong (routes and HMM cuts that tie,
Force_Split_Words, characters outside jieba's Han range, the dictionary
file's rules), and fuzz it with any string Python can hold.
"""

from __future__ import annotations

import functools
import random
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordfreq import charclasses
from wordfreq.counting.filters import Filters
from wordfreq.counting.rowspec import add_grams, kept_runs, piece_filter
from wordfreq.tokenizers import jieba_compiled
from wordfreq.tokenizers.jieba_compiled import CompiledJiebaTokenizer, available
from wordfreq.tokenizers.jieba_py import all_mode_places, cut_points_for_mode
from wordfreq.tokenizers.places import is_solid, solid

from naive import _jieba, naive_counts

if available() is not None:  # pragma: no cover - built wherever the tests run
    pytest.skip(f"the compiled tokenizer is unavailable: {available()}", allow_module_level=True)

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

# Besides the pieces above: surrogates, private-use characters, carriage
# returns and NUL around line feeds.
ordered_piece = st.one_of(
    piece,
    st.sampled_from(["\ud800", "\udbff\udc00", "\ue001", "\ue000", "\r\x00\n", "\r\r\n\n"]),
)
ordered_texts = st.lists(ordered_piece, max_size=40).map("".join)
DICTS = [None, USER_DICT, USER_DICT_DELETE]
DICT_IDS = ["default-dict", "user-dict", "deleting-dict"]


@functools.cache
def compiled(mode: str, hmm: bool, user_dict: bytes | None) -> CompiledJiebaTokenizer:
    return CompiledJiebaTokenizer(mode, hmm, user_dict)


def jiebas_list(text: str, mode: str, hmm: bool, user_dict: bytes | None) -> list[str]:
    """jieba's own tokens of ``text``, with ``user_dict`` loaded by load_userdict."""
    reference = _jieba(user_dict)
    if mode == "search":
        return list(reference.cut_for_search(text, HMM=hmm))
    return list(reference.cut(text, cut_all=mode == "all", HMM=hmm))


def check(text: str, mode: str = "accurate", hmm: bool = True, user_dict: bytes | None = None) -> None:
    """The tokens in order are jieba's list; the counts are the naive program's."""
    tok = compiled(mode, hmm, user_dict)
    assert tok.tokenize(text) == jiebas_list(text, mode, hmm, user_dict), (text, mode, hmm)
    counts: Counter[str] = Counter()
    tok.add_counts(text, counts)
    assert counts == naive_counts([text], mode=mode, hmm=hmm, user_dict=user_dict), (text, mode, hmm)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
@pytest.mark.parametrize("user_dict", DICTS, ids=DICT_IDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ordered_texts)
def test_tokens_and_counts_are_jiebas(text: str, mode: str, hmm: bool, user_dict: bytes | None) -> None:
    check(text, mode, hmm, user_dict)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
def test_a_long_realistic_text(sample_corpus, mode: str, hmm: bool) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(sample_corpus.rglob("*.txt")))
    check(text, mode, hmm)
    check(text, mode, hmm, USER_DICT)


def route_tie_text() -> str:
    """Routes like 呵|呵呵 and 呵呵|呵 are equally likely: which one wins depends
    on the last bits of the sums, so on jieba's exact total and the order of
    its additions, and with the HMM the counts differ (a single 呵 joins the
    buffer next to it)."""
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


@pytest.mark.parametrize("user_dict", DICTS, ids=DICT_IDS)
def test_route_ties_are_broken_like_jieba(user_dict: bytes | None) -> None:
    text = route_tie_text()
    for mode in MODES:
        check(text, mode, True, user_dict)


@pytest.mark.parametrize("mode", ["accurate", "search"])
def test_hmm_ties_are_broken_like_jieba(mode: str) -> None:
    """Where two cuts of a buffer are equally likely (恹 and 懨 have the same
    probabilities), jieba's max over (score, state) decides."""
    for text in ("咲恹懨恹懨恹妩", "円円懨恹懨円咲恹懨妩咲懨懨咲円円"):
        check(text, mode)
    assert compiled("accurate", True, None).tokenize("咲恹懨恹懨恹妩") == ["咲恹懨", "恹懨恹妩"]


@pytest.mark.parametrize("mode", MODES)
def test_characters_outside_jiebas_han_range_stand_alone(mode: str) -> None:
    """CJK Extension A/B, U+9FD6.. and compatibility ideographs end a block."""
    text = "讥䶯䶰𦡦鿖中文\uf900\U0002f800"
    if mode == "accurate":
        assert compiled(mode, True, None).tokenize(text) == [
            "讥",
            "䶯",
            "䶰",
            "𦡦",
            "鿖",
            "中文",
            "\uf900",
            "\U0002f800",
        ]
    check(text, mode)
    check(text, mode, hmm=False)


@pytest.mark.parametrize("mode", ["accurate", "search"])
def test_latin_runs_joined_by_punctuation_are_split_like_finalseg(mode: str) -> None:
    for text, tokens in [
        ("1-30", ["1", "-", "30"]),
        ("www.example.com", ["www", ".", "example", ".", "com"]),
        ("WES-5.4.5", ["WES", "-", "5.4", ".", "5"]),
        ("第12-13页", ["第", "12", "-", "13", "页"]),
        ("a.b+#3.5%", ["a", ".", "b", "+#", "3.5%"]),
    ]:
        if mode == "accurate":
            assert compiled(mode, True, None).tokenize(text) == tokens
        check(text, mode)


def test_all_mode_glues_ascii_around_dictionary_words_like_jieba() -> None:
    """__cut_all's eng_buf may join letters that a longer word separates."""
    user_dict = "BC 5\nBCD 3\nT恤衫 2\n".encode()
    for text in ["ABCD", "xBCy", "T恤衫T恤", "AT&T的C++和c#", "aBCDe f"]:
        check(text, "all", True, user_dict)
        check(text, "all")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
@pytest.mark.parametrize("user_dict", DICTS, ids=DICT_IDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ordered_texts)
def test_places_are_jiebas(text: str, mode: str, hmm: bool, user_dict: bytes | None) -> None:
    """Each token's place: jieba's own ``tokenize``'s in the accurate and search modes; in all mode, which
    it lacks, the Python reading of ``__cut_all`` (`all_mode_places`), whose tokens are jieba's."""
    reference = _jieba(user_dict)
    if mode == "all":
        expected = all_mode_places(reference, text)
        assert [token for token, _, _ in expected] == solid(jiebas_list(text, mode, hmm, user_dict))
    else:
        expected = [
            place
            for place in reference.tokenize(text, "search" if mode == "search" else "default", HMM=hmm)
            if is_solid(place[0])
        ]
    assert compiled(mode, hmm, user_dict).places(text) == expected


def test_all_mode_places_a_joined_ascii_token_from_its_first_character_to_its_last() -> None:
    user_dict = b"BC 5\nBCD 3\n"
    expected = [("BC", 1, 3), ("BCD", 1, 4), ("ae", 0, 5), ("f", 6, 7)]
    assert compiled("all", True, user_dict).places("aBCDe f") == expected
    assert all_mode_places(_jieba(user_dict), "aBCDe f") == expected


def test_force_split_words_are_read_live() -> None:
    """A word given frequency 0 anywhere in the process (jieba's
    Force_Split_Words is process-wide) changes how jieba cuts a buffer."""
    from jieba import finalseg

    text = "他来到了网易杭研大厦"
    saved = set(finalseg.Force_Split_Words)
    try:
        finalseg.Force_Split_Words.discard("杭研")
        check(text, "accurate")
        assert "杭研" in compiled("accurate", True, None).tokenize(text)
        finalseg.Force_Split_Words.add("杭研")
        check(text, "accurate")
        check(text, "search")
        assert "杭研" not in compiled("accurate", True, None).tokenize(text)
    finally:
        finalseg.Force_Split_Words.clear()
        finalseg.Force_Split_Words.update(saved)


def test_force_split_words_from_a_user_dictionary() -> None:
    text = "他来到了网易杭研大厦"
    check(text, "accurate", True, USER_DICT)
    assert "杭研" not in compiled("accurate", True, USER_DICT).tokenize(text)


# -- n-gram rows -----------------------------------------------------------------


def naive_rows(
    text: str, tok: CompiledJiebaTokenizer, orders: tuple[int, int], filters: Filters
) -> Counter[str]:
    """The rows as `wordfreq.counting.rowspec` defines them, from jieba's tokens, line by line."""
    counts: Counter[str] = Counter()
    for line in text.split("\n"):
        for run in kept_runs(" ".join(tok.tokenize(line)).split(), filters):
            add_grams(run, orders, counts)
    return counts


FILTERS = [
    Filters(),
    Filters(lowercase=True),
    Filters(no_punct=True, stopwords=frozenset({"的", "了", "abc"})),
    Filters(no_numbers=True, min_length=2, lowercase=True),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("filters", FILTERS, ids=["none", "lower", "punct-stop", "numbers-length-lower"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ordered_texts, low=st.integers(1, 3), span=st.integers(0, 2))
def test_rows_are_the_n_grams_of_jiebas_tokens(
    text: str, mode: str, filters: Filters, low: int, span: int
) -> None:
    tok = compiled(mode, True, None)
    orders = (low, low + span)
    counts: Counter[str] = Counter()
    tok.add_rows(text, orders, piece_filter(filters), counts)
    assert counts == naive_rows(text, tok, orders, filters)


def test_rows_on_a_long_realistic_text(sample_corpus) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(sample_corpus.rglob("*.txt")))
    tok = compiled("accurate", True, None)
    for filters in FILTERS:
        counts: Counter[str] = Counter()
        tok.add_rows(text, (1, 3), piece_filter(filters), counts)
        assert counts == naive_rows(text, tok, (1, 3), filters)


def test_rows_ask_the_filters_once_per_distinct_token() -> None:
    asked: list[str] = []

    def keep(piece: str) -> str | None:
        asked.append(piece)
        return None if piece == "，" else piece

    counts: Counter[str] = Counter()
    compiled("accurate", True, None).add_rows("我们，我们，我们\n我们", (2, 2), keep, counts)
    assert sorted(asked) == sorted(["，", "我们"])
    assert counts == Counter()
    compiled("accurate", True, None).add_rows("我们的我们\r\n的", (1, 2), keep, counts)
    assert counts == Counter({"我们": 2, "的": 2, "我们 的": 1, "的 我们": 1})


# -- n-gram rows held across texts (count_rows into a RowTable) ---------------------


def taken(table: object) -> Counter[str]:
    """The rows a RowTable held, through its pack when UTF-8 can encode them, else through add_to."""
    from wordfreq.reduce.packs import sort_pack, unpack

    try:
        raw = table.take()  # type: ignore[attr-defined]
    except UnicodeEncodeError:
        rows: Counter[str] = Counter()
        table.add_to(rows)  # type: ignore[attr-defined]
        return rows
    packed = sort_pack(raw)
    assert packed is not None
    listed = list(unpack(packed))
    assert [row for row, _ in listed] == sorted({row for row, _ in listed}), "sorted, each row once"
    return Counter(dict(listed))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("filters", FILTERS, ids=["none", "lower", "punct-stop", "numbers-length-lower"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(ordered_texts, min_size=1, max_size=4),
    low=st.integers(1, 3),
    span=st.integers(0, 2),
    take_after=st.integers(0, 4),
)
def test_a_held_table_counts_the_rows_of_every_text(
    texts: list[str], mode: str, filters: Filters, low: int, span: int, take_after: int
) -> None:
    """count_rows into one RowTable, text after text, holds what add_rows adds to a dict; taking the rows
    out (as a pack, or one str per row where UTF-8 cannot encode one) empties it, and it counts again."""
    tok = compiled(mode, True, None)
    orders = (low, low + span)
    table = tok.row_table(orders, piece_filter(filters))
    got: Counter[str] = Counter()
    for i, text in enumerate(texts):
        tok.count_rows(text, table)
        if i + 1 == take_after:
            got.update(taken(table))
            assert len(table) == 0 and table.nbytes == 0
    got.update(taken(table))
    expected: Counter[str] = Counter()
    for text in texts:
        tok.add_rows(text, orders, piece_filter(filters), expected)
    assert got == expected


def test_a_held_table_asks_the_filters_once_per_distinct_token_until_taken() -> None:
    asked: list[str] = []

    def keep(piece: str) -> str | None:
        asked.append(piece)
        return None if piece == "，" else piece.lower()

    tok = compiled("accurate", True, None)
    table = tok.row_table((1, 2), keep)
    tok.count_rows("我们，ABC我们\n", table)
    tok.count_rows("abc我们", table)
    assert sorted(asked) == sorted(["我们", "，", "ABC", "abc"]) and len(table) == 5
    assert table.nbytes > 0
    assert taken(table) == Counter({"我们": 3, "abc": 2, "abc 我们": 2})  # ABC and abc: one row
    tok.count_rows("我们", table)
    assert asked.count("我们") == 2  # an emptied table asks again


def test_a_held_table_refuses_misuse() -> None:
    import pickle

    from wordfreq.tokenizers import _jieba

    tok = compiled("accurate", True, None)
    with pytest.raises(ValueError):
        _jieba.RowTable(2, 1, None)
    with pytest.raises(TypeError):
        _jieba.RowTable(1, 2, "not callable")
    with pytest.raises(TypeError):
        tok.count_rows("我们", {})  # a dict is not a RowTable
    with pytest.raises(TypeError):
        pickle.dumps(tok.row_table((1, 1), None))

    def reentrant(piece: str) -> str:
        tok.count_rows("再来", table)  # counts into the table it is being asked for
        return piece

    table = tok.row_table((1, 2), reentrant)
    with pytest.raises(RuntimeError):
        tok.count_rows("我们", table)

    def failing(piece: str) -> str:
        raise KeyError(piece)

    table = tok.row_table((1, 2), failing)
    with pytest.raises(KeyError):
        tok.count_rows("我们 在", table)
    assert taken(table) == Counter()


# -- the dictionary ----------------------------------------------------------------


def test_the_dictionary_file_is_read_with_gen_pfdicts_rules() -> None:
    """Every key of jieba's FREQ with its value, and nothing else; jieba's total (B超 is listed twice)."""
    reference = _jieba(None)
    reference.check_initialized()
    dictionary = jieba_compiled.dictionary_for(None)
    assert dictionary.total == reference.total
    assert len(dictionary) == len(reference.FREQ)
    assert all(dictionary.get(w) == f for w, f in reference.FREQ.items())
    assert dictionary.get("不在词典里的词") is None


def test_a_dictionary_line_it_does_not_read_is_refused_by_line() -> None:
    from wordfreq.tokenizers import _jieba

    small = _jieba.dictionary_from_file("中国 5 ns\n中国人 3\n  美国 2 \n".encode())
    assert (small.total, len(small)) == (10, 5)  # 中, 中国, 中国人, 美, 美国
    assert [small.get(w) for w in ("中", "中国", "中国人", "美国", "国")] == [0, 5, 3, 2, None]
    for data, line in [(b"a 1\nb\n", 2), (b"a +1\n", 1), (b"a 1\n\xff 2\n", 2), (b"a 1\n\n", 2)]:
        with pytest.raises(ValueError, match=f"^line {line}$"):
            _jieba.dictionary_from_file(data)
    with pytest.raises(ValueError):
        _jieba.dictionary_from_freq({"a": -1}, 5)
    with pytest.raises(ValueError):
        _jieba.dictionary_from_freq({"a": 1}, 0)


def test_a_user_dictionary_is_loaded_by_jieba_with_its_errors() -> None:
    not_utf8 = "好词 3\n".encode() + b"\xff\xfe 2\n"
    with pytest.raises(ValueError, match="must be utf-8"):
        CompiledJiebaTokenizer("accurate", True, not_utf8)


# -- any string Python can hold ------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=60))
def test_any_string_at_all(text: str, mode: str) -> None:
    """Every plane, lone surrogates, NUL: jieba's tokens, and accurate mode's join back into the text."""
    check(text, mode)
    if mode == "accurate":
        assert "".join(compiled(mode, True, None).tokenize(text)) == text


@pytest.mark.parametrize("mode", MODES)
def test_huge_runs(mode: str) -> None:
    """Blocks of 10^5 characters: one Han character, one unknown name, ASCII, block punctuation."""
    for text in [
        "呵" * 100_000,
        "韩冰冰" * 40_000,
        "a" * 100_000,
        "-." * 50_000,
        "1" * 99_999 + "%",
        "\x00" * 50_000,
    ]:
        check(text, mode)


def test_character_classes_are_charclasses_over_every_code_point() -> None:
    """The C code spells jieba's classes again (is_han, is_ascii_alnum, ...):
    the same code points as `charclasses`, all 0x110000 of them."""
    from wordfreq.tokenizers import _jieba

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
    assert _jieba.char_classes() == bytes(expected)


def test_the_interface() -> None:
    for mode in MODES:
        tok = compiled(mode, True, None)
        assert tok.cut_points is cut_points_for_mode(mode)
        assert tok.tokenize("") == []
