"""The on-disk cache of compiled dictionaries: images read back exactly, damaged ones refused, and the
cache never failing a run (`wordfreq.tokenizers.dictionary_cache`)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordfreq.tokenizers import dictionary_cache, jieba_compiled

_jieba = pytest.importorskip("wordfreq.tokenizers._jieba")

SMALL = "中国 5 ns\n中国人 3\n美国 2\n𠀀𠀁 7\n".encode()
TEXT = "我们在北京天安门，中国人民站起来了。他来到了网易杭研大厦𠀀𠀁 and 美国 3.5% Wi-Fi\n" * 3


@pytest.fixture(scope="module")
def jiebas_dictionary_data() -> bytes:
    from wordfreq.tokenizers.jieba_py import import_jieba

    with import_jieba().Tokenizer().get_dict_file() as f:
        return f.read()


def segmenter(dictionary: object) -> object:
    from jieba import finalseg

    emit, start, trans = jieba_compiled._model()
    return _jieba.Segmenter(dictionary, emit, start, trans, finalseg.Force_Split_Words, "search", True)


def test_an_image_reads_back_as_the_same_dictionary(jiebas_dictionary_data: bytes) -> None:
    from wordfreq.tokenizers.jieba_py import load_jieba

    built = _jieba.dictionary_from_file(jiebas_dictionary_data)
    copy = _jieba.dictionary_from_image(built.image())
    reference = load_jieba()
    assert (copy.total, len(copy)) == (reference.total, len(reference.FREQ))
    assert all(copy.get(word) == freq for word, freq in reference.FREQ.items())
    assert copy.get("不在词典里的词") is None
    assert segmenter(copy).tokenize(TEXT) == segmenter(built).tokenize(TEXT)


@pytest.mark.parametrize(
    "damage",
    ["truncated", "longer", "magic", "header", "root", "edges", "freq"],
)
def test_a_damaged_image_is_refused(damage: str) -> None:
    image = bytearray(_jieba.dictionary_from_file(SMALL).image())
    header, root = 56, 0x10000 * 16  # the header: magic and six 64-bit numbers
    if damage == "truncated":
        del image[-8:]
    elif damage == "longer":
        image += bytes(8)
    else:
        at = {"magic": 0, "header": 16, "root": header + 16 * ord("中"), "edges": header + root + 100}
        position = at.get(damage, len(image) - 1)
        image[position] ^= 0x40
    with pytest.raises(ValueError, match="not an image"):
        _jieba.dictionary_from_image(bytes(image))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200), at=st.integers(0, 2**32), flip=st.integers(1, 255))
def test_no_bytes_crash_the_reader(data: bytes, at: int, flip: int) -> None:
    """Random bytes, and a valid image with a random byte changed, are refused (or read), never a crash."""
    for candidate in (data, _damaged(at, flip)):
        with contextlib.suppress(ValueError):
            _jieba.dictionary_from_image(candidate)


_SMALL_IMAGE: list[bytes] = []


def _damaged(at: int, flip: int) -> bytes:
    if not _SMALL_IMAGE:
        _SMALL_IMAGE.append(_jieba.dictionary_from_file(SMALL).image())
    image = bytearray(_SMALL_IMAGE[0])
    image[at % len(image)] ^= flip
    return bytes(image)


class Builds:
    """A build function that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: bytes) -> object:
        self.calls += 1
        return _jieba.dictionary_from_file(data)


def cached(data: bytes, build: Builds) -> object:
    return dictionary_cache.cached_dictionary(data, build, _jieba.dictionary_from_image)


def test_the_first_run_stores_the_image_and_the_next_reads_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WORDFREQ_CACHE_DIR", str(tmp_path / "cache"))
    build = Builds()
    first, second = cached(SMALL, build), cached(SMALL, build)
    assert build.calls == 1
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [
        dictionary_cache.image_path(SMALL, tmp_path / "cache").name
    ]
    assert [second.get(w) for w in ("中", "中国", "中国人", "𠀀𠀁")] == [0, 5, 3, 7]
    assert second.total == first.total == 17


def test_another_dictionary_has_its_own_image(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WORDFREQ_CACHE_DIR", str(tmp_path))
    build = Builds()
    cached(SMALL, build)
    other = cached(SMALL + "日本 4\n".encode(), build)
    assert build.calls == 2 and other.get("日本") == 4 and len(list(tmp_path.iterdir())) == 2


def test_a_damaged_image_on_disk_is_rebuilt_and_rewritten(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WORDFREQ_CACHE_DIR", str(tmp_path))
    path = dictionary_cache.image_path(SMALL, tmp_path)
    build = Builds()
    cached(SMALL, build)
    path.write_bytes(path.read_bytes()[:-1])
    assert cached(SMALL, build).get("中国") == 5
    assert build.calls == 2
    assert cached(SMALL, build).get("中国") == 5 and build.calls == 2  # the rewritten image


def test_an_empty_cache_dir_setting_turns_the_cache_off(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WORDFREQ_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    build = Builds()
    cached(SMALL, build), cached(SMALL, build)
    assert build.calls == 2 and list(tmp_path.iterdir()) == []


def test_the_default_place_follows_xdg(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("WORDFREQ_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert dictionary_cache.cache_dir() == tmp_path / "xdg" / "wordfreq"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert dictionary_cache.cache_dir() == tmp_path / ".cache" / "wordfreq"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_cache_that_cannot_be_written_never_fails_a_run(tmp_path: Path, monkeypatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setenv("WORDFREQ_CACHE_DIR", str(locked / "cache"))
    assert cached(SMALL, Builds()).get("中国") == 5
    assert list(locked.iterdir()) == []


def test_a_cache_path_that_is_a_file_never_fails_a_run(tmp_path: Path, monkeypatch) -> None:
    """As with a directory that cannot be written (which root can write): the run builds the dictionary,
    and leaves nothing behind."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("WORDFREQ_CACHE_DIR", str(blocker / "cache"))
    assert cached(SMALL, Builds()).get("中国") == 5
    assert list(tmp_path.iterdir()) == [blocker]


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WORDFREQ_CACHE_DIR", str(tmp_path))

    def no_rename(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(dictionary_cache.os, "replace", no_rename)
    assert cached(SMALL, Builds()).get("中国") == 5
    assert list(tmp_path.iterdir()) == []


def test_the_tokenizer_reads_jiebas_dictionary_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    """A tokenizer made in a process whose cache holds the image: the same tokens as one built from the
    file, with the cache turned off."""
    monkeypatch.setenv("WORDFREQ_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(jieba_compiled, "_DICTIONARIES", {})
    stored = jieba_compiled.CompiledJiebaTokenizer("accurate", True).tokenize(TEXT)
    assert len(list(tmp_path.glob("jieba-dict-*.bin"))) == 1
    monkeypatch.setattr(jieba_compiled, "_DICTIONARIES", {})
    with monkeypatch.context() as reading:
        reading.setattr(_jieba, "dictionary_from_file", None)  # not built again: read
        read_back = jieba_compiled.CompiledJiebaTokenizer("accurate", True).tokenize(TEXT)
    monkeypatch.setenv("WORDFREQ_CACHE_DIR", "")
    monkeypatch.setattr(jieba_compiled, "_DICTIONARIES", {})
    assert read_back == stored == jieba_compiled.CompiledJiebaTokenizer("accurate", True).tokenize(TEXT)


def test_the_cached_finalseg_model_is_jiebas(tmp_path: Path, monkeypatch) -> None:
    """The HMM packed into the cache reads back as the live ``jieba.finalseg``'s, double for double."""
    from jieba import finalseg

    monkeypatch.setenv("WORDFREQ_CACHE_DIR", str(tmp_path))
    blob = jieba_compiled._model_blob()
    assert jieba_compiled._model_from_blob(blob) == jieba_compiled._packed_model(finalseg)
    key = b"any key"
    first = dictionary_cache.cached_blob("jieba-hmm", key, lambda: blob, jieba_compiled._model_from_blob)
    assert first == jieba_compiled._packed_model(finalseg)
    assert len(list(tmp_path.glob("jieba-hmm-*.bin"))) == 1


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign"])
def test_a_damaged_finalseg_model_is_refused(damage: str) -> None:
    blob = jieba_compiled._model_blob()
    if damage == "truncated":
        blob = blob[:-8]
    elif damage == "flipped":
        blob = blob[:-3] + bytes([blob[-3] ^ 1]) + blob[-2:]
    else:
        blob = b"WFHMM99\n" + blob[8:]
    with pytest.raises(ValueError):
        jieba_compiled._model_from_blob(blob)


def test_a_count_with_a_warm_cache_never_imports_jieba(tmp_path: Path) -> None:
    """jieba's dictionary and HMM come from the cache and its folder: the count's start does not pay
    for jieba's import; the model and version it finds so are those of jieba imported."""
    import subprocess
    import sys

    probe = (
        "import io, sys\n"
        "from wordfreq import count\n"
        "text = '我们在北京天安门，中国人民站起来了。'.encode()\n"
        "from wordfreq.tokenizers import jieba_compiled as jc\n"
        "rows = count(['-'], stdin=io.BytesIO(text), workers=1).rows()\n"
        "imported = 'jieba' in sys.modules\n"
        "model, version = jc._model(), jc.jieba_version()\n"
        "from jieba import finalseg\n"
        "import jieba\n"
        "naive = [t for t in jieba.cut(text.decode()) if t.strip()]\n"
        "print(imported, sorted(rows) == sorted((t, naive.count(t)) for t in set(naive)),\n"
        "      model == jc._packed_model(finalseg), version == jieba.__version__)\n"
    )
    env = dict(os.environ, WORDFREQ_CACHE_DIR=str(tmp_path))
    run = [sys.executable, "-c", probe]
    subprocess.run(run, env=env, check=True, capture_output=True)  # fills the cache
    assert subprocess.run(run, env=env, check=True, capture_output=True, text=True).stdout.split() == [
        "False",
        "True",
        "True",
        "True",
    ]
