"""--convert: the table equals the naive loop's that converts each whole file with OpenCC, then cuts it, for
any chunk size; chunks are cut only where no conversion crosses the cut, which the dictionaries allow."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import opencc
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordfreq import count, discover_words
from wordfreq.chunks.conversion import CONFIGS, IDS_OPERATORS, converter, safe_cut_points
from wordfreq.cli import cli
from wordfreq.tokenizers.jieba_py import ACCURATE_CUT_POINTS

from conftest import PIECES, cli_runner
from naive import naive_counts

# Phrases OpenCC converts as wholes, keys that hold a middle dot or Han outside jieba's range, and
# Ideographic Description Sequences, which OpenCC keeps whole (operands and all, up to 64 code points).
CONVERTED = ["頭髮", "乾燥", "後來", "著名", "瞭解", "於是", "裡面", "臺灣", "軟體", "滑鼠",
             "計程車", "克林·伊斯威特", "覆𫗧之衅", "二𫫇英", "㓦划", "⿰", "⿱⿰", "車",
             "·", "-", "「", "」", "皇后"]  # fmt: skip
texts = st.lists(st.sampled_from(CONVERTED + PIECES), max_size=80).map("".join)
_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


def counted(text: str, config: str, **options: object) -> tuple[object, object]:
    data = text.encode()
    fd, path = tempfile.mkstemp(suffix=".txt")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        from_file = count([path], workers=1, convert=config, **options).counts  # type: ignore[arg-type]
    finally:
        os.unlink(path)
    from_stream = count(["-"], stdin=io.BytesIO(data), workers=1, convert=config, **options).counts  # type: ignore[arg-type]
    return from_file, from_stream


@_settings
@given(
    text=texts, chunk_size=st.integers(1, 300), config=st.sampled_from(["t2s", "tw2s", "hk2s", "s2t", "t2tw"])
)
def test_any_chunking_gives_the_naive_counts_of_the_converted_files(
    text: str, chunk_size: int, config: str
) -> None:
    text = text.removeprefix("\ufeff")
    expected = naive_counts([opencc.OpenCC(config).convert(text)])
    assert counted(text, config, chunk_size=chunk_size) == (expected, expected)


def test_chunks_are_cut_where_they_may_be_and_the_count_is_exact_with_two_workers(tmp_path: Path) -> None:
    text = ("後來他們在臺灣用軟體。\n" * 40 + "⿰\n車" + " 頭髮乾燥\n" * 40) * 20
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    expected = naive_counts([opencc.OpenCC("t2s").convert(text)])
    for workers, chunk_size in ((2, 64), (2, 1000), (1, 7)):
        assert count([str(path)], workers=workers, chunk_size=chunk_size, convert="t2s").counts == expected


def test_a_cut_is_after_whitespace_and_64_characters_past_an_ids_operator() -> None:
    pattern = safe_cut_points(ACCURATE_CUT_POINTS)
    assert pattern.search("⿰" + "a\n" * 31) is None
    assert pattern.search("⿰" + "a\n" * 33).end() == 65
    assert pattern.search("ab\ncd").end() == 3
    assert pattern.search("ab，cd") is None


def test_records_are_converted_one_by_one(tmp_path: Path) -> None:
    lines = [{"text": t} for t in ("頭髮乾燥", "後來⿰", "車臺灣")]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    expected = naive_counts([opencc.OpenCC("t2s").convert(r["text"]) for r in lines])
    assert count([str(path)], workers=1, field="text", chunk_size=5, convert="t2s").counts == expected


def test_the_dictionaries_of_opencc_hold_no_whitespace(tmp_path: Path) -> None:
    """What `safe_cut_points` relies on, checked on the dictionaries of the opencc package installed."""
    root = Path(opencc.__file__).parent / "clib"
    tool, dictionaries = root / "bin" / "opencc_dict", sorted((root / "share" / "opencc").glob("*.ocd2"))
    if not tool.exists() or not dictionaries:
        pytest.skip("this opencc package ships no opencc_dict or no .ocd2 dictionaries")
    keys = 0
    for dictionary in dictionaries:
        text = tmp_path / (dictionary.stem + ".txt")
        subprocess.run(
            [tool, "-i", dictionary, "-o", text, "-f", "ocd2", "-t", "text"], check=True, timeout=60
        )
        for line in text.read_text(encoding="utf-8").splitlines():
            key = line.split("\t", 1)[0]
            keys += 1
            assert key.split() == [key], f"{dictionary.name}: key {key!r} holds whitespace"
            assert not any("\u2ff0" <= c <= "\u2fff" or c == "\u31ef" for c in key), key
    assert keys > 50_000
    assert IDS_OPERATORS == "\u2ff0-\u2fff\u31ef"


def test_discover_finds_in_the_converted_text_what_it_finds_in_that_text(tmp_path: Path) -> None:
    traditional, simplified = tmp_path / "t.txt", tmp_path / "s.txt"
    rng = random.Random(7)
    lines = [
        "".join(rng.choices(CONVERTED[:11] + ["的", "在", "我們", "說"], k=12)) + "\n" for _ in range(300)
    ]
    traditional.write_text("".join(lines), encoding="utf-8")
    simplified.write_text(opencc.OpenCC("t2s").convert("".join(lines)), encoding="utf-8")
    found = discover_words([str(traditional)], workers=1, min_count=2, convert="t2s", chunk_size=500)
    expected = discover_words([str(simplified)], workers=1, min_count=2)
    assert found.candidates == expected.candidates and len(found.candidates) > 5
    assert any(c.word == "头发" for c in found.candidates)


def test_every_named_configuration_loads() -> None:
    for config in CONFIGS:
        assert isinstance(converter(config).convert("頭髮"), str)


def test_cli_convert_and_its_errors(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.txt"
    path.write_text("他的頭髮很乾燥。\n", encoding="utf-8")
    result = runner.invoke(cli, ["count", str(path), "-j1", "-q", "--convert", "t2s"])
    assert result.exit_code == 0 and "头发\t1\n" in result.stdout and "干燥\t1\n" in result.stdout
    bad = runner.invoke(cli, ["count", str(path), "--convert", "x2y"])
    assert bad.exit_code == 2 and "--convert" in bad.stderr
    monkeypatch.setitem(sys.modules, "opencc", None)
    converter.cache_clear()
    try:
        missing = runner.invoke(cli, ["count", str(path), "-j1", "-q", "--convert", "t2s"])
    finally:
        converter.cache_clear()
    assert missing.exit_code == 1 and "corpus-wordfreq[convert]" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_kwic_and_collocates_read_the_converted_text(tmp_path: Path) -> None:
    runner = cli_runner()
    traditional, simplified = tmp_path / "t.txt", tmp_path / "s.txt"
    text = "他的頭髮很乾燥。\n後來頭髮長了，頭髮乾燥 ⿰\n車\n" * 40
    traditional.write_text(text, encoding="utf-8")
    simplified.write_text(opencc.OpenCC("t2s").convert(text), encoding="utf-8")
    for command, extra in (("kwic", ["--output-format", "tsv"]), ("collocates", ["--min-count", "1"])):
        got = runner.invoke(cli, [command, "头发", str(traditional), "-j2", "--chunk-size", "200", "-q",
                                  "--convert", "t2s", *extra])  # fmt: skip
        expected = runner.invoke(cli, [command, "头发", str(simplified), "-j1", "-q", *extra])
        assert got.exit_code == expected.exit_code == 0
        assert got.stdout.replace("t.txt", "s.txt") == expected.stdout and expected.stdout.count("\n") > 2
