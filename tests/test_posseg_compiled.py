"""The compiled part-of-speech tagger gives exactly jieba.posseg's pairs.

Differential property tests (hypothesis) compare it with ``jieba.posseg``
on random texts (the pieces of ``test_jieba_compiled``: Han runs, names
for the HMM, Latin, digits, block punctuation, other scripts, every kind of
whitespace), with and without the HMM, with a user dictionary whose lines
carry tags and one whose lines do not, and with a main dictionary of its
own; on a long real text and on HMM-heavy text (runs of rare characters);
the counts and n-grams of its tokens against the naive loop; and fuzz it
with any string Python can hold.
"""

from __future__ import annotations

import functools
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_jieba_compiled import PIECES, USER_DICT, ordered_texts

from wordfreq.errors import OptionError
from wordfreq.tokenizers.jieba_compiled import available
from wordfreq.tokenizers.jieba_posseg import pos_model, pos_tokenizer
from wordfreq.tokenizers.tags import KEEP_ALL, TagFilter

from naive import _posseg, naive_pos_counts, tag_matches

if available() is not None:  # pragma: no cover - built wherever the tests run
    pytest.skip(f"the compiled tokenizer is unavailable: {available()}", allow_module_level=True)

# A user dictionary whose lines carry no tag: its words take the main dictionary's tag, or 'x'.
USER_DICT_UNTAGGED = "\n".join(
    ["青禾线 20", "北京 300", "梧桐坊市集", "雾溪古镇 5", "杭研 0", "3D打印"]
).encode()
DICTS = [None, USER_DICT, USER_DICT_UNTAGGED]
DICT_IDS = ["default-dict", "tagged-user-dict", "untagged-user-dict"]

# What posseg treats apart: % and - outside its blocks, numbers and Latin in its HMM buffers ('m' and
# 'eng'), single letters and digits glued without the HMM, words whose tag is known or not.
POS_PIECES = [
    "1.5", "a1.5", ".5", "3.5%", "12abc", "abc12", "a.b", "1-2", "--", "%", "2024年", "x+y", "a#b&c_d",
    "韩玉赏鉴", "张三李四王五赵六", "鄂尔多斯", "一个人", "今天天气不错", "永和服装饰品有限公司",
    "李小福是创新办主任也是云计算方面的专家", "我爱北京天安门", "吉林省长春药店",
]  # fmt: skip
pos_texts = st.lists(
    st.one_of(ordered_texts, st.sampled_from(POS_PIECES), st.sampled_from(PIECES)), max_size=6
).map("".join)


@functools.cache
def tagger(hmm: bool, user_dict: bytes | None, with_tags: bool = True, tag_filter: TagFilter = KEEP_ALL):
    return pos_tokenizer(hmm, user_dict, with_tags=with_tags, tag_filter=tag_filter)


def posseg_pairs(text: str, hmm: bool, user_dict: bytes | None, dictionary: str | None = None):
    return [(p.word, p.flag) for p in _posseg(user_dict, dictionary).cut(text, HMM=hmm)]


def check(text: str, hmm: bool = True, user_dict: bytes | None = None) -> None:
    """The pairs in order are posseg's; the counted tokens are the naive loop's."""
    tok = tagger(hmm, user_dict)
    assert tok.tag(text) == posseg_pairs(text, hmm, user_dict), (text, hmm)
    counts: Counter[str] = Counter()
    tok.add_counts(text, counts)
    assert counts == naive_pos_counts([text], hmm, user_dict), (text, hmm)


@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
@pytest.mark.parametrize("user_dict", DICTS, ids=DICT_IDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=pos_texts)
def test_pairs_and_counts_are_possegs(text: str, hmm: bool, user_dict: bytes | None) -> None:
    check(text, hmm, user_dict)


@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
def test_a_long_realistic_text(sample_corpus, hmm: bool) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(sample_corpus.rglob("*.txt")))
    check(text, hmm)
    check(text, hmm, USER_DICT)


def rare_han_text(seed: int, size: int) -> str:
    """HMM-heavy text: runs of characters seldom in the dictionary's words (most of the text goes through
    posseg's Viterbi), some outside char_state_tab, between punctuation."""
    from jieba.posseg import char_state_tab_P

    rng = random.Random(seed)
    known = sorted(char_state_tab_P)
    unknown = [chr(c) for c in range(0x4E00, 0x9FD6, 37) if chr(c) not in char_state_tab_P]
    runs = []
    for _ in range(size):
        n = rng.randint(1, 30)
        runs.append(
            "".join(rng.choice(known) if rng.random() < 0.9 else rng.choice(unknown) for _ in range(n))
        )
    return "，".join(runs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hmm_heavy_text(seed: int) -> None:
    check(rare_han_text(seed, 300), True)


def test_jiebas_own_posseg_examples() -> None:
    """The sentences of jieba's test/test_pos.py and its README's example."""
    for text in [
        "我爱北京天安门",
        "这是一个伸手不见五指的黑夜。我叫孙悟空，我爱北京，我爱Python和C++。",
        "我不喜欢日本和服。",
        "雷猴回归人间。",
        "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作",
        "我需要廉租房",
        "永和服装饰品有限公司",
        "我爱北京天安门",
        "abc",
        "隐马尔可夫",
        "雷猴是个好网站",
        "“Microsoft”一词由“MICROcomputer（微型计算机）”和“SOFTware（软件）”两部分组成",
        "草泥马和欺实马是今年的流行词汇",
        "伊藤洋华堂总府店",
        "中国科学院计算技术研究所",
        "罗密欧与朱丽叶",
        "我购买了道具和服装",
        "PS: 我觉得开源有一个好处，就是能够敦促自己不断改进，避免敞帚自珍",
        "湖北省石首市",
        "湖北省十堰市",
        "总经理完成了这件事情",
        "电脑修好了",
        "做好了这件事情就一了百了了",
        "人们审美的观点是不同的",
        "我们买了一个美的空调",
        "线程初始化时我们要注意",
        "一个分子是由好多原子组织成的",
        "祝你马到功成",
        "他掉进了无底洞里",
        "中国的首都是北京",
        "孙君意",
        "外交部发言人马朝旭",
        "领导人会议和第四届东亚峰会",
        "在过去的这五年",
        "还需要很长的路要走",
        "60周年首都阅兵",
        "你好人们审美的观点是不同的",
        "买水果然后来世博园",
        "买水果然后去世博园",
        "但是后来我才知道你是对的",
        "存在即合理",
        "的的的的的在的的的的就以和和和",
        "I love你，不以为耻，反以为rong",
        "因",
        "",
        "hello你好人们审美的观点是不同的",
        "很好但主要是基于网页形式",
        "为什么我不能拥有想要的生活",
        "后来我才",
        "此次来中国是为了",
        "使用了它就可以解决一些问题",
        ",使用了它就可以解决一些问题",
        "其实使用了它就可以解决一些问题",
        "好人使用了它就可以解决一些问题",
        "是因为和国家",
        "老年搜索还支持",
        "干脆就把那部蒙人的闲法给废了拉倒！RT @laoshipukong : 27日，全国人大常委会第三次审议侵权责任法草案，"
        "删除了有关医疗损害责任“举证倒置”的规定。",
        "大",
        "他说的确实在理",
        "长春市长春节讲话",
        "结婚的和尚未结婚的",
        "结合成分子时",
        "旅游和服务是最好的",
        "这件事情的确是我的错",
        "供大家参考指正",
        "哈尔滨政府公布塌桥原因",
        "我在机场入口处",
        "邢永臣摄影报道",
        "BP神经网络如何训练才能在分类时增加区分度？",
        "南京市长江大桥",
        "应一些使用者的建议，也为了便于利用NiuTrans用于SMT研究",
        "长春市长春药店",
        "邓颖超生前最喜欢的衣服",
        "胡锦涛是热爱世界和平的政治局常委",
        "程序员祝海林和朱会震是在孙健的左面和右面, 范凯在最右面.再往左是李松洪",
        "一次性交多少钱",
        "两块五一套，三块八一斤，四块七一本，五块六一条",
        "小和尚留了一个像大和尚一样的和尚头",
        "我是中华人民共和国公民;我爸爸是共和党党员; 地铁和平门站",
        "张晓梅去人民医院做了个B超然后去买了件T恤",
        "AT&T是一件不错的公司，给你发offer了吗？",
        "C++和c#是什么关系？11+122=133，是吗？PI=3.14159",
        "你认识那个和主席握手的的哥吗？他开一辆黑色的士。",
        "枪杆子中出政权",
    ]:
        for hmm in (True, False):
            check(text, hmm)
            check(text, hmm, USER_DICT)


MAIN_DICT = "\n".join(
    ["北京 300 ns", "天安门 100 ns", "我 500 r", "爱 200 v", "北 10 f", "京 10 j", "门 5 n"]
)


def test_a_main_dictionary_with_tags(tmp_path) -> None:
    """``--dict``: the words, frequencies and tags of a main dictionary of one's own."""
    path = tmp_path / "dict.txt"
    path.write_text(MAIN_DICT + "\n", encoding="utf-8")
    text = "我爱北京天安门，北门和京门。abc 3.5 我爱你"
    for hmm in (True, False):
        tok = pos_tokenizer(hmm, None, path.read_bytes())
        assert tok.tag(text) == posseg_pairs(text, hmm, None, str(path))
        with_user = pos_tokenizer(hmm, USER_DICT, path.read_bytes())
        assert with_user.tag(text + "云栖茶舍") == posseg_pairs(text + "云栖茶舍", hmm, USER_DICT, str(path))


def test_a_main_dictionary_without_tags_is_refused() -> None:
    with pytest.raises(OptionError, match="word frequency tag"):
        pos_tokenizer(True, None, "北京 300\n天安门 100\n".encode())


@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
@pytest.mark.parametrize(
    ("include", "exclude"), [(("n*",), ()), (("v", "ns"), ()), ((), ("x", "u*")), (("n*", "v*"), ("nr",))]
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=pos_texts)
def test_the_tag_filter_and_plain_words(text: str, hmm: bool, include, exclude) -> None:
    tag_filter = TagFilter(include, exclude)
    for with_tags in (True, False):
        tok = tagger(hmm, None, with_tags, tag_filter)
        counts: Counter[str] = Counter()
        tok.add_counts(text, counts)
        expected = naive_pos_counts([text], hmm, with_tags=with_tags, include=include, exclude=exclude)
        assert counts == expected
        assert Counter(t for t in tok.tokenize(text) if not t.isspace()) == expected


def naive_pos_rows(text: str, orders: tuple[int, int], include=()) -> Counter[str]:
    """The n-grams of ``word/tag`` pieces, line by line; a dropped tag breaks the run."""
    counts: Counter[str] = Counter()
    for line in text.split("\n"):
        runs: list[list[str]] = [[]]
        for word, tag in posseg_pairs(line, True, None):
            if not word.split():
                continue
            if include and not tag_matches(tag, include):
                runs.append([])
                continue
            runs[-1].extend(f"{p}/{tag}" for p in word.split())
        for run in runs:
            for n in range(orders[0], orders[1] + 1):
                for i in range(len(run) - n + 1):
                    counts[" ".join(run[i : i + n])] += 1
    return counts


@pytest.mark.parametrize("include", [(), ("n*", "v")])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=pos_texts)
def test_rows_of_tagged_tokens(text: str, include) -> None:
    tok = tagger(True, None, True, TagFilter(include, ()))
    counts: Counter[str] = Counter()
    tok.add_rows(text, (1, 3), None, counts)
    assert counts == naive_pos_rows(text, (1, 3), include)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text())
def test_any_string_at_all(text: str) -> None:
    for hmm in (True, False):
        assert tagger(hmm, None).tag(text) == posseg_pairs(text, hmm, None)


def test_the_pickled_tables_are_the_ones_posseg_imports() -> None:
    import jieba.posseg

    from wordfreq.tokenizers.jieba_posseg import posseg_tables

    cs, start, trans, emit = posseg_tables()
    assert cs == jieba.posseg.char_state_tab_P
    assert start == jieba.posseg.start_P
    assert trans == jieba.posseg.trans_P
    assert emit == jieba.posseg.emit_P


def test_the_packed_model_reads_back_and_a_damaged_one_is_rebuilt(tmp_path, monkeypatch) -> None:
    from wordfreq.tokenizers.jieba_posseg import _model_from_blob

    monkeypatch.setenv("WORDFREQ_CACHE_DIR", str(tmp_path))
    pos_model.cache_clear()
    try:
        first = pos_model()
        [path] = tmp_path.glob("jieba-posseg-model-*.bin")
        blob = path.read_bytes()
        assert _model_from_blob(blob).tags == first.tags
        flipped = bytearray(blob)
        flipped[-5] ^= 1  # a probability's last bits: only the digest sees it
        for damaged in (blob[:-1], b"x" + blob[1:], blob[:100], bytes(flipped)):
            path.write_bytes(damaged)
            with pytest.raises(ValueError):
                _model_from_blob(damaged)
            pos_model.cache_clear()
            assert pos_model().tags == first.tags
            assert path.read_bytes() == blob
    finally:
        pos_model.cache_clear()


def test_the_model_is_possegs() -> None:
    """Every state of posseg's model, numbered in the order of its tuples; the tags posseg adds itself."""
    from jieba.posseg import trans_P

    model = pos_model()
    assert set(model.tags) == {tag for _, tag in trans_P} | {"x", "m", "eng"}
    assert list(model.tags) == sorted(model.tags)


def test_the_tag_filter_patterns() -> None:
    assert TagFilter.patterns("pos_include", "n*, v,ns") == ("n*", "v", "ns")
    f = TagFilter(("n*", "v"), ("nr",))
    assert [f.keeps(t) for t in ["n", "ns", "nr", "v", "vn", "x"]] == [True, True, False, True, False, False]
    for bad in ["", "n**", "*n", "n,,v", "a b", "n/v"]:
        with pytest.raises(OptionError):
            TagFilter.patterns("pos_include", bad)


def test_a_huge_run_of_rare_characters() -> None:
    """One HMM buffer of 100,000 characters (the Viterbi keeps a row of back pointers per character):
    the words give the text back; a shorter one of the same kind is posseg's."""
    text = rare_han_text(7, 4000).replace("，", "")
    check(text[:3000], True)
    pairs = tagger(True, None).tag(text[:100_000])
    assert "".join(word for word, _ in pairs) == text[:100_000]
