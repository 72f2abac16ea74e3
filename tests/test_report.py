"""`wordfreq report`: the figures and curves of `wordfreq.analyses.report`, the HTML page, and the page
in a browser.

The browser tests open the page in headless Chromium (Debian's ``chromium``
and ``chromium-driver``, driven by selenium) with every network route dead,
and check what a reader would: no console errors, nothing fetched, the charts
with their axes, Chinese labels as text.  They skip when Chromium is absent,
except under ``CI=true``, where they fail: CI must run them.

Run as a script, this file regenerates the README's screenshot of the sample
corpus's report (Chinese files against the English one)::

    python tests/test_report.py docs/report.png
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from wordfreq.analyses.charts import COVERAGE_TARGETS, SIGNIFICANT_G2
from wordfreq.analyses.report import keywords, log_spaced_ranks, render, report_html, summarize
from wordfreq.analyses.stats import table_stats
from wordfreq.cli import cli
from wordfreq.reduce.order import Row
from wordfreq.tables.formats import read_table

from conftest import SAMPLE_CORPUS, cli_runner

CHROMIUM = os.environ.get("WORDFREQ_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("WORDFREQ_CHROMEDRIVER", "/usr/bin/chromedriver")
CJK = re.compile("[\u4e00-\u9fff]")


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


def power_law(n: int, s: float = 1.0, top: float = 1e6) -> list[Row]:
    """``n`` rows with count = top / rank**s, at least 1."""
    return [(f"w{r}", max(1, round(top / r**s))) for r in range(1, n + 1)]


def write_table(path: Path, rows: list[Row]) -> Path:
    path.write_text("".join(f"{token}\t{count}\n" for token, count, *_ in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The sample corpus counted whole, its Chinese files only, and its English file only."""
    import wordfreq

    out = tmp_path_factory.mktemp("tables")
    files = sorted(SAMPLE_CORPUS.rglob("*.txt"))
    english = [f for f in files if f.name == "english.txt"]
    chinese = [f for f in files if f.name != "english.txt"]
    paths = []
    for name, inputs in (("corpus.tsv", [SAMPLE_CORPUS]), ("chinese.tsv", chinese), ("english.tsv", english)):
        write_table(out / name, wordfreq.count(inputs, workers=1).rows())
        paths.append(out / name)
    return paths[0], paths[1], paths[2]


# --- the figures: exact, from one pass -------------------------------------------------


def test_summary_figures_are_table_stats(sample_tables: tuple[Path, Path, Path]) -> None:
    corpus = sample_tables[0]
    assert summarize(read_table(corpus), "corpus").stats == table_stats(read_table(corpus))


def test_summary_figures_include_one_doc_of_a_three_column_table() -> None:
    rows: list[Row] = [("a", 5, 2), ("b", 2, 1), ("c", 1, 1)]
    assert summarize(rows, "t").stats == table_stats(rows)


def test_summary_keeps_the_top_rows_in_table_order_from_unsorted_rows() -> None:
    rows: list[Row] = [("c", 1), ("b", 5), ("a", 5), ("d", 9)]
    assert summarize(rows, "t", top=3).top == [("d", 9), ("a", 5), ("b", 5)]


def test_vocabulary_sizes_are_the_fewest_rows_covering_each_share() -> None:
    rows = power_law(5000, 1.1)
    counts = sorted((c for _, c in rows), reverse=True)
    total = sum(counts)
    summary = summarize(rows, "t")
    for p in COVERAGE_TARGETS:
        covered, k = 0, 0
        while 100 * covered < p * total:
            covered += counts[k]
            k += 1
        assert summary.vocabulary[p] == k


def test_curves_are_exact_at_log_spaced_ranks() -> None:
    rows = power_law(3000, 0.9)
    counts = [c for _, c in rows]
    summary = summarize(reversed(rows), "t")
    assert [r for r, _ in summary.rank_counts] == log_spaced_ranks(3000)
    assert all(count == counts[r - 1] for r, count in summary.rank_counts)
    assert all(share == sum(counts[:r]) / sum(counts) for r, share in summary.coverage_curve)


def test_log_spaced_ranks_span_the_table_in_few_points() -> None:
    ranks = log_spaced_ranks(10_000_000)
    assert ranks[0] == 1 and ranks[-1] == 10_000_000 and len(ranks) <= 200 and ranks == sorted(set(ranks))


def test_zipf_line_has_the_intercept_of_the_stats_fit() -> None:
    summary = summarize(power_law(2000, 1.2, top=1e9), "t")
    assert summary.zipf_intercept == pytest.approx(math.log(1e9), rel=1e-6)


def test_empty_table_has_no_curves_and_no_vocabulary_sizes() -> None:
    summary = summarize([], "empty")
    assert summary.rank_counts == [] and summary.coverage_curve == [] and summary.zipf_intercept is None
    assert set(summary.vocabulary.values()) == {None}


# --- keywords -------------------------------------------------------------------------


def test_keywords_are_the_extremes_of_log_ratio_on_each_side() -> None:
    a = Counter({"x": 50, "y": 20, "same": 10, "z": 1, "b-word": 2})
    b = Counter({"x": 10, "y": 20, "same": 10, "z": 40, "b-word": 4})
    positive, negative = keywords(a, b, 2)
    assert [r.token for r in positive] == ["x", "y"] and [r.token for r in negative] == ["z", "b-word"]
    assert all(r.log_ratio > 0 for r in positive) and all(r.log_ratio < 0 for r in negative)


def test_keywords_leave_out_rows_whose_log_ratio_sign_disagrees_with_their_frequencies() -> None:
    # Absent from a small A, once in a huge B: Log Ratio (0 taken as 0.5) is positive, the token is B's.
    a = Counter({"common": 10})
    b = Counter({"common": 100_000, "rare": 1})
    positive, negative = keywords(a, b, 5)
    assert "rare" not in {r.token for r in positive} | {r.token for r in negative}


def test_no_keywords_when_a_table_has_no_tokens() -> None:
    assert keywords(Counter(), Counter({"a": 1}), 5) == ([], [])


# --- the page ---------------------------------------------------------------------------


def test_page_is_self_contained(sample_tables: tuple[Path, Path, Path]) -> None:
    page = report_html([sample_tables[1], sample_tables[2]])
    assert "http" not in page and "//" not in page.replace("<!--", "")
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b|@import|url\(", page)


def test_every_chart_is_an_accessible_scalable_svg(sample_tables: tuple[Path, Path, Path]) -> None:
    page = report_html([sample_tables[1], sample_tables[2]])
    charts = re.findall(r"<svg [^>]*>", page)
    assert len(charts) == 5  # rank-frequency, coverage, keyness, two top-N
    assert all('role="img"' in svg and "viewBox=" in svg for svg in charts)
    assert page.count("<title id=") == page.count("<desc id=") == len(charts)
    assert page.count("<details>") >= len(charts)


def test_page_has_a_cjk_font_stack_and_print_styles(sample_tables: tuple[Path, Path, Path]) -> None:
    page = report_html([sample_tables[0]])
    assert '"Noto Sans CJK SC"' in page and '"Microsoft YaHei"' in page and "@media print" in page
    assert "max-width" in page and 'name="viewport"' in page


def test_page_shows_the_exact_figures(sample_tables: tuple[Path, Path, Path]) -> None:
    stats = table_stats(read_table(sample_tables[0]))
    page = report_html([sample_tables[0]])
    assert f"<td>{stats.tokens:,}</td>" in page and f"<td>{stats.types:,}</td>" in page
    assert f"{stats.zipf_exponent:.3f}" in page


def test_page_escapes_tokens() -> None:
    page = render([summarize([("<b>&", 3), ('"x"', 1)], "t")])
    assert "<b>&" not in page and "&lt;b&gt;&amp;" in page


def test_top_chart_has_n_bars(sample_tables: tuple[Path, Path, Path]) -> None:
    page = report_html([sample_tables[0]], top=12)
    assert page.count('<g class="bar">') == 12


def test_keyness_chart_marks_the_significant_keywords(sample_tables: tuple[Path, Path, Path]) -> None:
    page = report_html([sample_tables[1], sample_tables[2]], keywords_per_side=10)
    shown = re.findall(r'<g class="keyword( significant)?"><title>([^<]*)</title>', page)
    assert len(shown) == 20
    for significant, title in shown:
        g2 = float(re.search(r"G² ([0-9.]+)", html.unescape(title)).group(1))  # type: ignore[union-attr]
        assert bool(significant) == (g2 >= SIGNIFICANT_G2)


def test_page_of_an_empty_table_says_there_is_nothing_to_draw() -> None:
    assert "empty table: nothing to draw" in render([summarize([], "empty")])


def test_page_of_a_large_table_stays_small(tmp_path: Path) -> None:
    # 1.5 million rows (count = 1e7 / rank, a third of them hapax): the page holds sampled curves only.
    path = tmp_path / "big.tsv"
    with path.open("w", encoding="utf-8") as out:
        for r in range(1, 1_500_001):
            out.write(f"w{r}\t{max(1, 10_000_000 // r)}\n")
    page = report_html([path])
    size = len(page.encode())
    assert size < 200_000, size
    assert "<td>1,500,000</td>" in page  # the types, exact


# --- the command --------------------------------------------------------------------------


def test_cli_report_writes_one_html_file(runner: CliRunner, sample_tables: tuple[Path, Path, Path]) -> None:
    out = sample_tables[0].parent / "report.html"
    result = runner.invoke(cli, ["report", str(sample_tables[0]), "-o", str(out), "-n", "5"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_report_writes_stdout_by_default_and_reads_stdin(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["report", "-"], input="的\t3\n了\t1\n".encode())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and "的" in result.stdout


def test_cli_report_compares_two_tables(runner: CliRunner, sample_tables: tuple[Path, Path, Path]) -> None:
    result = runner.invoke(cli, ["report", str(sample_tables[1]), str(sample_tables[2]), "-k", "3"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count('<g class="keyword') == 6


def test_cli_report_reads_stdin_once_only(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["report", "-", "-"], input=b"a\t1\n")
    assert result.exit_code == 2 and "only once" in result.stderr


def test_cli_report_of_a_bad_value_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["report", "x.tsv", "-n", "0"])
    assert result.exit_code == 2


def test_cli_report_of_a_malformed_table_fails_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", "-", "-o", str(out)], input=b"a\t1\nb\n")
    assert result.exit_code == 1 and "line 2" in result.stderr and not out.exists()


# --- in a browser ----------------------------------------------------------------------------


def _chromium_or_skip() -> None:
    """Skip when Chromium or selenium is missing, unless CI=true (then fail: CI must run these)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    if not missing:
        return
    why = f"needs headless Chromium: missing {', '.join(missing)} (apt-get install chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(why + "; under CI=true the browser tests must run")
    pytest.skip(why)


def test_browser_tests_skip_without_chromium_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(globals(), "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="needs headless Chromium"):
        _chromium_or_skip()


def test_browser_tests_fail_without_chromium_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(globals(), "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run"):
        _chromium_or_skip()


def open_browser(width: int = 1280, height: int = 900) -> object:
    """Headless Chromium under selenium, as root, with every network route dead."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="wordfreq-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "--force-device-scale-factor=1",
        # Nothing may be fetched: any name resolves nowhere, any proxied request goes to a dead port.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver._wordfreq_profile = profile  # type: ignore[attr-defined]
    return driver


def close_browser(driver: object) -> None:
    driver.quit()  # type: ignore[attr-defined]
    shutil.rmtree(driver._wordfreq_profile, ignore_errors=True)  # type: ignore[attr-defined]


def screenshot(driver: object, path: Path) -> None:
    """A PNG of the whole page, not only the window."""
    import base64

    height = driver.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
    width = driver.execute_script("return document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    shot = driver.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Page.captureScreenshot",
        {
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _chromium_or_skip()
    driver = open_browser()
    yield driver
    close_browser(driver)


@pytest.fixture(scope="module")
def two_table_page(sample_tables: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(report_html([sample_tables[1], sample_tables[2]]), encoding="utf-8")
    return path


def _open(driver: object, page: Path) -> None:
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    driver.get_log("browser")  # type: ignore[attr-defined]  # (drains the log of earlier pages)


def test_browser_renders_the_page_without_console_errors(browser: object, two_table_page: Path) -> None:
    browser.get(two_table_page.as_uri())  # type: ignore[attr-defined]
    problems = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]  # type: ignore[attr-defined]
    assert problems == []
    assert browser.title.startswith("wordfreq report")  # type: ignore[attr-defined]


def test_browser_fetches_nothing(browser: object, two_table_page: Path) -> None:
    _open(browser, two_table_page)
    resources = browser.execute_script("return performance.getEntriesByType('resource').length")  # type: ignore[attr-defined]
    assert resources == 0


def test_browser_draws_every_chart_with_axes_and_labels(browser: object, two_table_page: Path) -> None:
    _open(browser, two_table_page)
    charts = browser.execute_script(  # type: ignore[attr-defined]
        """return [...document.querySelectorAll('svg[role=img]')].map(svg => {
             const box = svg.getBoundingClientRect();
             return {chart: svg.dataset.chart, width: box.width, height: box.height,
                     title: svg.querySelector('title').textContent,
                     axes: svg.querySelectorAll('line.axis').length,
                     marks: svg.querySelectorAll('polyline.series, rect').length,
                     texts: [...svg.querySelectorAll('text')].map(t => t.textContent)};
           });"""
    )
    assert {c["chart"] for c in charts} == {"rank-frequency", "coverage", "keyness", "top-0", "top-1"}
    for chart in charts:
        assert chart["width"] > 300 and chart["height"] > 200 and chart["title"], chart["chart"]
        assert chart["axes"] >= 1 and chart["marks"] >= 2, chart["chart"]
    by_name = {c["chart"]: c["texts"] for c in charts}
    assert (
        "rank (log scale)" in by_name["rank-frequency"] and "count (log scale)" in by_name["rank-frequency"]
    )
    assert any(t.startswith("95%: ") for t in by_name["coverage"])


def test_browser_shows_chinese_labels_as_text(browser: object, two_table_page: Path) -> None:
    _open(browser, two_table_page)
    texts = browser.execute_script(  # type: ignore[attr-defined]
        "return [...document.querySelectorAll('svg[data-chart=top-0] text, svg[data-chart=keyness] text')]"
        ".map(t => t.textContent)"
    )
    assert sum(bool(CJK.search(t)) for t in texts) >= 10


def test_browser_prints_the_charts_one_below_another(browser: object, two_table_page: Path) -> None:
    _open(browser, two_table_page)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})  # type: ignore[attr-defined]
    try:
        lefts, hidden = browser.execute_script(  # type: ignore[attr-defined]
            "return [[...document.querySelectorAll('figure')]"
            ".map(f => Math.round(f.getBoundingClientRect().left)),"
            " [...document.querySelectorAll('details')].every(d => getComputedStyle(d).display == 'none')]"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})  # type: ignore[attr-defined]
    assert len(lefts) == 5 and len(set(lefts)) == 1 and hidden


def test_browser_fits_the_charts_to_a_phone(two_table_page: Path, tmp_path: Path) -> None:
    _chromium_or_skip()
    driver = open_browser()
    try:  # a window cannot be that narrow: the phone's screen is emulated
        driver.execute_cdp_cmd(  # type: ignore[attr-defined]
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
        )
        _open(driver, two_table_page)
        widths = driver.execute_script(  # type: ignore[attr-defined]
            "return [document.documentElement.scrollWidth,"
            " ...[...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().right)]"
        )
        screenshot(driver, tmp_path / "phone.png")
    finally:
        close_browser(driver)
    assert max(widths) <= 390


def test_browser_screenshot_of_the_report(browser: object, two_table_page: Path, tmp_path: Path) -> None:
    _open(browser, two_table_page)
    screenshot(browser, tmp_path / "report.png")
    assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def regenerate_screenshot(target: Path) -> None:
    """The README's screenshot: the sample corpus's Chinese files (A) against its English file (B)."""
    import wordfreq

    files = sorted(SAMPLE_CORPUS.rglob("*.txt"))
    target = target.resolve()
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as temp:
        os.chdir(temp)  # the page names the tables as given: chinese.tsv, english.tsv
        tables = []
        for name, inputs in (
            ("chinese.tsv", [f for f in files if f.name != "english.txt"]),
            ("english.tsv", [f for f in files if f.name == "english.txt"]),
        ):
            tables.append(write_table(Path(name), wordfreq.count(inputs, workers=1).rows()))
        page = Path(temp) / "report.html"
        page.write_text(report_html(tables, top=20, keywords_per_side=12), encoding="utf-8")
        os.chdir(here)
        driver = open_browser(1200, 900)
        try:
            _open(driver, page)
            screenshot(driver, target)
        finally:
            close_browser(driver)
    print(json.dumps({"screenshot": str(target), "bytes": target.stat().st_size}))


if __name__ == "__main__":
    regenerate_screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/report.png"))
