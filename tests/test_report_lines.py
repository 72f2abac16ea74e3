"""`wordfreq report --corpus`: the top words in context (`wordfreq.analyses.report_lines`).

The lines are checked against ``wordfreq kwic`` itself: for each word on the
page, ``kwic -e WORD --max M`` with the same options gives the page's rows,
in order.  The pass stops once every word has its rows; its errors are one
line; in headless Chromium (the harness of `test_report`), the section is
drawn with the nodes in one column and fits a phone.
"""

from __future__ import annotations

import html
import multiprocessing
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_report import _chromium_or_skip, _open, close_browser, open_browser, screenshot, write_table

import wordfreq
from wordfreq import CountOptions, KwicSpec, Nodes, ReportLines, concordance
from wordfreq.analyses import report_lines
from wordfreq.analyses.report_lines import first_lines
from wordfreq.cli import cli
from wordfreq.options import TokenizerSpec

from conftest import SAMPLE_CORPUS, cli_runner

WORD = re.compile(r'<div class="kwic-word"><h3>(.*?) <small>.*?</h3>(.*?)</div></div>', re.S)
ROW = re.compile(
    r'<div><span class="left">(.*?)</span><span class="node">(.*?)</span><span class="right">(.*?)</span>'
    r'<span class="where" title="(.*?):(\d+)">'
)
CHINESE = [str(f) for f in sorted(SAMPLE_CORPUS.rglob("*.txt")) if f.name != "english.txt"]


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


def page_lines(page: str) -> dict[str, list[tuple[str, ...]]]:
    """Each word of the section with its rows as (source, line, left, node, right), as kwic's TSV has them."""
    section = page[page.index('<section id="lines">') :]
    return {
        html.unescape(word): [
            (html.unescape(source), line, *map(html.unescape, (left, node, right)))
            for left, node, right, source, line in ROW.findall(rows)
        ]
        for word, rows in WORD.findall(section)
    }


def kwic_rows(
    runner: CliRunner, word: str, paths: list[str], options: list[str], n: int
) -> list[tuple[str, ...]]:
    """``wordfreq kwic -e WORD --max N`` with ``options``: its rows, from its TSV."""
    args = ["kwic", "-e", word, *paths, "--max", str(n), "--output-format", "tsv", "-q", *options]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    return [tuple(line.split("\t")) for line in result.stdout.splitlines()[1:]]


def count_table(path: Path, paths: list[str], options: list[str], runner: CliRunner) -> Path:
    result = runner.invoke(cli, ["count", *paths, "-q", "-o", str(path), *options])
    assert result.exit_code == 0, result.stderr
    return path


@pytest.mark.parametrize(
    ("corpus", "options", "lines", "width"),
    [
        (CHINESE, ["--no-punct"], 3, 30),  # against the English file: A's keywords
        ([str(SAMPLE_CORPUS)], ["--no-punct", "--lowercase", "-j", "2", "--chunk-size", "300"], 2, 12),
        ([str(SAMPLE_CORPUS)], ["--mode", "search", "--stop-list", "baidu"], 4, 20),
        ([str(SAMPLE_CORPUS)], ["--pos", "--pos-exclude", "x"], 3, 30),
    ],
)
def test_page_lines_are_kwics_first_rows_of_each_word(
    runner: CliRunner, tmp_path: Path, corpus: list[str], options: list[str], lines: int, width: int
) -> None:
    table = count_table(tmp_path / "a.tsv", corpus, options, runner)
    tables = [str(table)]
    if corpus == CHINESE:
        tables.append(
            str(count_table(tmp_path / "b.tsv", [str(SAMPLE_CORPUS / "english.txt")], options, runner))
        )
    page_path = tmp_path / "page.html"
    corpus_args = [arg for path in corpus for arg in ("--corpus", path)]
    args = ["report", *tables, *corpus_args, *options, "--kwic-lines", str(lines), "--kwic-width", str(width)]
    result = runner.invoke(cli, [*args, "-o", str(page_path)])
    assert result.exit_code == 0, result.stderr
    shown = page_lines(page_path.read_text(encoding="utf-8"))
    assert len(shown) == 10
    for word, rows in shown.items():
        expected = kwic_rows(runner, word, corpus, [*options, "--width", str(width)], lines)
        assert rows == expected, word
        assert len(rows) == lines  # every word shown is frequent enough to have them all


def test_the_words_are_as_keywords_or_top_rows_say(tmp_path: Path) -> None:
    a = write_table(tmp_path / "a.tsv", [("甲", 9), ("乙", 5), ("丙", 1)])
    b = write_table(tmp_path / "b.tsv", [("甲", 1), ("乙", 5), ("丙", 9)])
    corpus = tmp_path / "c.txt"
    corpus.write_text("甲 乙 丙\n" * 3, encoding="utf-8")
    spec = ReportLines(
        (str(corpus),), words=5, lines=1, count_options=CountOptions(TokenizerSpec("whitespace"))
    )
    two = page_lines(wordfreq.report_html([a, b], lines=spec))
    assert list(two) == ["甲"]  # A's only positive keyword
    one = page_lines(wordfreq.report_html([a], lines=spec))
    assert list(one) == ["甲", "乙", "丙"]  # the most frequent rows


def test_the_pass_stops_once_every_word_has_its_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "big.txt"
    corpus.write_text("甲 乙\n" + "丙 丁\n" * 200_000, encoding="utf-8")
    results = []

    def spy(*args: object, **kwargs: object) -> wordfreq.KwicResult:
        results.append(wordfreq.concordance(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(report_lines, "concordance", spy)
    spec = ReportLines(
        (str(corpus),),
        lines=1,
        count_options=CountOptions(TokenizerSpec("whitespace")),
        run_options=wordfreq.RunOptions(workers=2, chunk_size=64 << 10),
    )
    found = first_lines(["甲", "乙"], spec)
    assert [[row.cells() for row in rows] for rows in found.values()] == [
        [(str(corpus), 1, "", "甲", " 乙")],
        [(str(corpus), 1, "甲 ", "乙", "")],
    ]
    assert results[0].bytes < corpus.stat().st_size // 2  # read the start only
    assert multiprocessing.active_children() == []  # and the workers are gone


def test_a_word_not_in_the_corpus_says_so(tmp_path: Path) -> None:
    table = write_table(tmp_path / "a.tsv", [("甲", 2), ("无", 1)])
    corpus = tmp_path / "c.txt"
    corpus.write_text("甲 甲\n", encoding="utf-8")
    spec = ReportLines((str(corpus),), count_options=CountOptions(TokenizerSpec("whitespace")))
    page = wordfreq.report_html([table], lines=spec)
    assert "no occurrence found" in page and len(page_lines(page)["甲"]) == 2


def test_with_pos_words_of_one_text_get_the_lines_of_their_own_tag(tmp_path: Path) -> None:
    # In the sample corpus 很 is tagged d and zg, 每 r and zg: each word/tag has its own rows.
    options = CountOptions(TokenizerSpec(pos=True))
    table = write_table(tmp_path / "pos.tsv", [("很/d", 6), ("很/zg", 2), ("每/r", 2), ("每/zg", 2)])
    spec = ReportLines((str(SAMPLE_CORPUS),), lines=2, count_options=options)
    shown = page_lines(wordfreq.report_html([table], lines=spec))
    assert list(shown) == ["很/d", "很/zg", "每/r", "每/zg"]
    for word, rows in shown.items():
        expected = concordance([str(SAMPLE_CORPUS)], KwicSpec(Nodes((word,)), 30, max_rows=2), options).rows()
        assert rows == [(r.source, str(r.line), r.left, r.node, r.right) for r in expected], word
        assert len(rows) == 2


def test_the_cells_are_escaped(tmp_path: Path) -> None:
    table = write_table(tmp_path / "a.tsv", [("<b>", 1)])
    corpus = tmp_path / "c.txt"
    corpus.write_text('x&y <b> "z"\tq\n', encoding="utf-8")
    spec = ReportLines((str(corpus),), count_options=CountOptions(TokenizerSpec("whitespace")))
    page = wordfreq.report_html([table], lines=spec)
    assert "<b>" not in page[page.index('<section id="lines">') :]
    assert page_lines(page)["<b>"] == [(str(corpus), "1", "x&y ", "<b>", ' "z" q')]


# --- errors: one line, exit 2 for a bad value, no traceback --------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--no-punct"],  # an option of the corpus without --corpus
        ["--kwic-lines", "2"],
        ["--corpus", "x", "--kwic-lines", "0"],
        ["--corpus", "x", "--kwic-words", "0"],
        ["--corpus", "-", "-"],
    ],
)
def test_bad_values_are_usage_errors(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    table = write_table(tmp_path / "a.tsv", [("a", 1)])
    result = runner.invoke(cli, ["report", str(table), *args])
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("Error:") == 1


def test_lines_of_a_table_of_parts_or_of_ngrams_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    corpus = str(SAMPLE_CORPUS / "news")
    long = tmp_path / "long.tsv"
    assert (
        runner.invoke(
            cli, ["count", corpus, "--part-by", "file", "--per-part", "-q", "-o", str(long)]
        ).exit_code
        == 0
    )
    bigrams = tmp_path / "bigrams.tsv"
    assert runner.invoke(cli, ["count", corpus, "--ngram", "2", "-q", "-o", str(bigrams)]).exit_code == 0
    for table, says in ((long, "plain table"), (bigrams, "n-gram")):
        result = runner.invoke(cli, ["report", str(table), "--corpus", corpus])
        assert result.exit_code == 2 and says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_a_missing_corpus_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    table = write_table(tmp_path / "a.tsv", [("a", 1)])
    out = tmp_path / "page.html"
    result = runner.invoke(cli, ["report", str(table), "--corpus", str(tmp_path / "none"), "-o", str(out)])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and not out.exists()


# --- in a browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lines_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus's Chinese files against its English one, with A's keywords in context."""
    folder = tmp_path_factory.mktemp("lines")
    english = [SAMPLE_CORPUS / "english.txt"]
    a = write_table(folder / "chinese.tsv", wordfreq.count(CHINESE, workers=1, no_punct=True).rows())
    b = write_table(folder / "english.tsv", wordfreq.count(english, workers=1, no_punct=True).rows())
    spec = ReportLines(tuple(CHINESE), count_options=CountOptions(filters=wordfreq.Filters(no_punct=True)))
    page = folder / "report.html"
    page.write_text(wordfreq.report_html([a, b], lines=spec), encoding="utf-8")
    return page


_GEOMETRY = """return [...document.querySelectorAll('.kwic')].map(k =>
  [...k.querySelectorAll('.node')].map(n => {
  const b = n.getBoundingClientRect(), l = n.previousElementSibling.getBoundingClientRect(),
        r = n.nextElementSibling.getBoundingClientRect();
  return {left: b.left, right: b.right, leftEnd: l.right, rightStart: r.left, rightEnd: r.right,
          weight: getComputedStyle(n).fontWeight, top: b.top, leftTop: l.top};
}));"""


@pytest.mark.parametrize("width", [1280, 390])
def test_browser_aligns_the_nodes_and_fits_the_screen(lines_page: Path, tmp_path: Path, width: int) -> None:
    _chromium_or_skip()
    driver = open_browser()
    try:
        if width < 800:  # a window cannot be that narrow: the phone's screen is emulated
            driver.execute_cdp_cmd(  # type: ignore[attr-defined]
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": 844, "deviceScaleFactor": 1, "mobile": True},
            )
        _open(driver, lines_page)
        words = driver.execute_script(_GEOMETRY)  # type: ignore[attr-defined]
        page_width = driver.execute_script("return document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        resources = driver.execute_script("return performance.getEntriesByType('resource').length")  # type: ignore[attr-defined]
        problems = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]  # type: ignore[attr-defined]
        screenshot(driver, tmp_path / f"lines-{width}.png")
    finally:
        close_browser(driver)
    assert len(words) == 10 and all(len(nodes) == 3 for nodes in words)
    for nodes in words:
        assert len({round(n["left"]) for n in nodes}) == 1  # one column of nodes
        for n in nodes:
            assert n["leftEnd"] <= n["left"] + 0.5 and n["rightStart"] >= n["right"] - 0.5
            assert n["top"] == n["leftTop"] and int(n["weight"]) >= 600  # on one line, highlighted
            assert n["rightEnd"] <= width
    assert page_width <= width and resources == 0 and problems == []


def test_browser_prints_the_lines_aligned_and_each_word_whole(lines_page: Path) -> None:
    _chromium_or_skip()
    driver = open_browser()
    try:
        _open(driver, lines_page)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})  # type: ignore[attr-defined]
        words = driver.execute_script(_GEOMETRY)  # type: ignore[attr-defined]
        whole = driver.execute_script(  # type: ignore[attr-defined]
            "return [...document.querySelectorAll('.kwic-word')].map(w => getComputedStyle(w).breakInside)"
        )
    finally:
        close_browser(driver)
    assert len(words) == 10 and all(len({round(n["left"]) for n in nodes}) == 1 for nodes in words)
    assert set(whole) == {"avoid"}
