"""`wordfreq report` of a long table (rows across the parts) and of a dispersion table (DP against
frequency), in headless Chromium as `tests/test_report.py` opens pages; and the names of tables on the
page: their files' base names, or --label."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_report import _chromium_or_skip, _open, close_browser, open_browser

from wordfreq.analyses.report import report_html, table_names

from conftest import SAMPLE_CORPUS, run_wordfreq


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("deep") / "a" / "very" / "long" / "folder"
    out.mkdir(parents=True)
    made = {}
    for kind, flag in (("long", "--per-part"), ("disp", "--dispersion")):
        made[kind] = out / f"{kind}.tsv"
        by = r"path:^([^/.]+)"
        done = run_wordfreq("count", str(SAMPLE_CORPUS), "--part-by", by, flag, "-q", "-o", str(made[kind]))
        assert done.returncode == 0, done.stderr
    made["plain"] = out / "plain.tsv"
    run_wordfreq("count", str(SAMPLE_CORPUS), "-q", "-o", str(made["plain"]))
    return made


def test_a_table_is_named_by_its_base_name_never_its_path(tables: dict[str, Path]) -> None:
    page = report_html([tables["plain"], tables["long"].with_name("plain.tsv")])
    assert str(tables["plain"].parent) not in page
    assert table_names(["x/y/a.tsv", "z/a.tsv"]) == ["y/a.tsv", "z/a.tsv"]
    assert table_names(["x/a.tsv", "-"], ["news"]) == ["news", "<stdin>"]


def test_label_names_the_table(tables: dict[str, Path]) -> None:
    done = run_wordfreq("report", str(tables["plain"]), "--label", "样例")
    assert "<title>wordfreq report: 样例</title>" in done.stdout.decode()


def test_track_draws_the_rows_asked_for(tables: dict[str, Path]) -> None:
    page = run_wordfreq("report", str(tables["long"]), "--track", "的,了").stdout.decode()
    assert re.findall(r'<g class="series"><title>([^<]*)</title>', page) == ["的", "了"]
    refused = run_wordfreq("report", str(tables["plain"]), "--track", "的")
    assert refused.returncode == 1 and b"--track is for a long table" in refused.stderr


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _chromium_or_skip()
    driver = open_browser()
    yield driver
    close_browser(driver)


def _charts(browser: object, page: Path) -> list[dict[str, object]]:
    _open(browser, page)
    problems = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]  # type: ignore[attr-defined]
    assert problems == []
    return browser.execute_script(  # type: ignore[attr-defined]
        """return [...document.querySelectorAll('svg[role=img]')].map(svg => {
             const box = svg.getBoundingClientRect();
             return {chart: svg.dataset.chart, width: box.width, height: box.height,
                     axes: svg.querySelectorAll('line.axis').length,
                     lines: svg.querySelectorAll('polyline.series').length,
                     points: svg.querySelectorAll('circle').length,
                     texts: [...svg.querySelectorAll('text')].map(t => t.textContent)};
           });"""
    )


def test_browser_draws_the_rows_across_the_parts(
    browser: object, tables: dict[str, Path], tmp_path: Path
) -> None:
    page = tmp_path / "long.html"
    page.write_bytes(run_wordfreq("report", str(tables["long"]), "-n", "5").stdout)
    (chart,) = _charts(browser, page)
    assert chart["chart"] == "parts" and chart["width"] > 300 and chart["height"] > 200
    assert chart["axes"] == 2 and chart["lines"] == 5 and chart["points"] == 5 * 6  # 6 parts
    assert {"news", "english", "per million tokens"} <= set(chart["texts"])  # type: ignore[arg-type]


def test_browser_draws_dp_against_frequency(browser: object, tables: dict[str, Path], tmp_path: Path) -> None:
    page = tmp_path / "disp.html"
    page.write_bytes(run_wordfreq("report", str(tables["disp"])).stdout)
    (chart,) = _charts(browser, page)
    rows = len(tables["disp"].read_text(encoding="utf-8").splitlines()) - 1
    assert chart["chart"] == "dispersion" and chart["axes"] == 2 and chart["points"] == min(rows, 2000)
    assert "的" in chart["texts"] and "per million tokens (log scale)" in chart["texts"]  # type: ignore[operator]


def test_part_reports_one_part_of_a_long_table_as_a_table(tables: dict[str, Path]) -> None:
    page = run_wordfreq("report", str(tables["long"]), "--part", "news").stdout.decode()
    assert "<title>wordfreq report: long.tsv: news</title>" in page
    assert 'data-chart="rank-frequency"' in page and 'data-chart="parts"' not in page
