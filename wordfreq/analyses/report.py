"""The report: one self-contained HTML page that shows what a table says, or what two tables say.

This module owns ``wordfreq report``: reading one or two tables once each,
the figures and the curves taken from them, and the HTML (inline CSS and
SVG, no script, nothing fetched) that draws them.  It computes no statistic
of its own that `wordfreq.analyses.stats` or `wordfreq.analyses.keyness` already defines:

* the `stats` figures are `wordfreq.analyses.stats.stats_from_spectrum` of the table's
  frequency spectrum (``{count: rows}``), gathered in the same single pass
  that keeps the ``top`` most frequent rows, so memory grows with the number
  of distinct counts and ``top``, not with the vocabulary;
* the curves come from that spectrum too, **exactly**, but are *sampled*:
  the count and the coverage at `CURVE_POINTS` log-spaced ranks, so a page of
  a table of ten million rows stays small and fast to open.  The vocabulary
  sizes for `COVERAGE_TARGETS` (the fewest rows whose counts make 50%, 80%,
  ... of all tokens) are exact integers, computed from every level;
* the fitted Zipf line is the one `wordfreq.analyses.stats` fits (over the rows with
  count >= 2): its exponent, and the intercept that goes with it;
* with a second table, the keywords are `wordfreq.analyses.keyness.compare`'s rows
  (log-likelihood G² and Log Ratio): the `keywords` most positive and most
  negative by Log Ratio, each marked significant when G² >= `SIGNIFICANT_G2`
  (6.63: p < 0.01, one degree of freedom).  Comparing needs each table's counts
  by token, so with two tables memory grows with their vocabularies.

Each chart is an ``<svg role="img">`` with a ``<title>``, a ``<desc>`` and a
``viewBox`` (it scales to the page, down to phone width), followed by a
``<details>`` table of the numbers it draws.  Chinese is drawn as SVG text in
the reader's own fonts (`FONT_STACK`); the page prints on paper as it reads
on screen.
"""

from __future__ import annotations

import heapq
import itertools
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from wordfreq.analyses.charts import (
    COLORS,
    COVERAGE_TARGETS,
    TableSummary,
    count_text,
    coverage_figure,
    escape,
    keyness_figure,
    percent_text,
    rank_frequency_figure,
    top_figure,
)
from wordfreq.analyses.keyness import KeyRow, compare
from wordfreq.analyses.parts_report import dispersion_figure, parts_figure, parts_page_rows, table_kind
from wordfreq.analyses.report_lines import LINES_CSS, first_lines, lines_section
from wordfreq.analyses.specs import ReportLines
from wordfreq.analyses.stats import ZIPF_MIN_COUNT, TableStats, stats_from_spectrum
from wordfreq.errors import InputError, OptionError
from wordfreq.reduce.order import Row
from wordfreq.sources.inputs import display_name, open_binary
from wordfreq.tables.formats import read_rows, read_table
from wordfreq.tables.long import first_line, one_part, sniffed

CURVE_POINTS = 160  # log-spaced ranks at which a curve is sampled
FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", system-ui, sans-serif'
)


# --- one pass over a table ------------------------------------------------------


def summarize(
    rows: Iterable[Row], name: str, top: int = 30, counts: Counter[str] | None = None
) -> TableSummary:
    """The `TableSummary` of ``rows`` (any order, two or three columns), read once.

    With ``counts``, also adds each row's count to ``counts[token]`` (for
    comparing two tables): memory then grows with the vocabulary.
    """
    spectrum: Counter[int] = Counter()
    one_doc: list[int] = []  # [n] once a three-column row is seen

    def tap(rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            spectrum[row[1]] += 1
            if len(row) == 3:
                if not one_doc:
                    one_doc.append(0)
                if row[2] == 1:
                    one_doc[0] += 1
            if counts is not None:
                counts[row[0]] += row[1]
            yield row

    kept = heapq.nsmallest(top, tap(rows), key=lambda row: (-row[1], row[0]))
    stats = stats_from_spectrum(spectrum)
    if one_doc:
        stats = replace(stats, one_doc=one_doc[0])
    levels = sorted(spectrum.items(), reverse=True)  # (count, rows), most frequent first
    ranks_counts, coverage = _curves(levels, stats.tokens, stats.types)
    return TableSummary(
        name=name,
        stats=stats,
        top=kept,
        rank_counts=ranks_counts,
        coverage_curve=coverage,
        vocabulary={p: vocabulary_size(levels, stats.tokens, p) for p in COVERAGE_TARGETS},
        zipf_intercept=_zipf_intercept(levels, stats),
    )


def log_spaced_ranks(types: int, points: int = CURVE_POINTS) -> list[int]:
    """About ``points`` distinct ranks from 1 to ``types``, evenly spaced in log scale, both ends in."""
    if types < 1:
        return []
    step = math.log(types) / max(points - 1, 1)
    ranks = {1, types, *(round(math.exp(i * step)) for i in range(points))}
    return sorted(r for r in ranks if 1 <= r <= types)


def _curves(
    levels: list[tuple[int, int]], tokens: int, types: int
) -> tuple[list[tuple[int, int]], list[tuple[int, float]]]:
    """The count and the coverage at each log-spaced rank, from the levels of the spectrum."""
    rank_counts: list[tuple[int, int]] = []
    coverage: list[tuple[int, float]] = []
    level = iter(levels)
    start = covered = 0  # rows and tokens before the current level
    count, rows = 0, 0
    for rank in log_spaced_ranks(types):
        while rank > start + rows:
            start, covered = start + rows, covered + count * rows
            count, rows = next(level)
        rank_counts.append((rank, count))
        coverage.append((rank, (covered + count * (rank - start)) / tokens if tokens else 0.0))
    return rank_counts, coverage


def vocabulary_size(levels: Sequence[tuple[int, int]], tokens: int, percent: int) -> int | None:
    """The fewest rows whose counts make ``percent``% of ``tokens`` (exact integers); None if no tokens."""
    if tokens <= 0:
        return None
    need = percent * tokens  # in hundredths of a token
    start = covered = 0
    for count, rows in levels:
        if count > 0 and 100 * (covered + count * rows) >= need:
            return start + -(-(need - 100 * covered) // (100 * count))  # ceiling division
        start, covered = start + rows, covered + count * rows
    return start


def _zipf_intercept(levels: list[tuple[int, int]], stats: TableStats) -> float | None:
    """The intercept of the least-squares line of `wordfreq.analyses.stats`:
    mean(log count) + s * mean(log rank)."""
    n, exponent = stats.zipf_rows, stats.zipf_exponent
    if exponent is None or n < 2:
        return None
    sum_y = sum(rows * math.log(count) for count, rows in levels if count >= ZIPF_MIN_COUNT)
    sum_x = math.lgamma(n + 1)  # log(1) + log(2) + ... + log(n)
    return (sum_y + exponent * sum_x) / n


# --- keywords ---------------------------------------------------------------------


def keywords(
    a_counts: Mapping[str, int], b_counts: Mapping[str, int], k: int
) -> tuple[list[KeyRow], list[KeyRow]]:
    """The ``k`` rows most frequent in A relative to B by Log Ratio, and the ``k`` most in B.

    From `wordfreq.analyses.keyness.compare`'s rows; ties in Log Ratio go to the
    larger G², then the token in code-point order.  A row is A's when its
    relative frequency is higher in A (compared exactly, in integers) and its
    Log Ratio is positive; B's when both are the other way.  They disagree
    only for a zero count, which Log Ratio takes as 0.5: a token absent from
    a small A and once in a huge B has a large positive Log Ratio, yet is no
    keyword of A, so such rows are left out.  No keywords when a table has
    no tokens.
    """
    n_a, n_b = sum(a_counts.values()), sum(b_counts.values())
    if not n_a or not n_b:
        return [], []
    positive: list[KeyRow] = []
    negative: list[KeyRow] = []
    for row in compare(a_counts, b_counts):
        direction = row.count_a * n_b - row.count_b * n_a
        if direction > 0 and row.log_ratio > 0:
            positive.append(row)
        elif direction < 0 and row.log_ratio < 0:
            negative.append(row)
    return (
        heapq.nsmallest(k, positive, key=lambda r: (-r.log_ratio, -r.ll, r.token)),
        heapq.nsmallest(k, negative, key=lambda r: (r.log_ratio, -r.ll, r.token)),
    )


# --- reading tables into a page -------------------------------------------------------


def report_html(
    paths: Sequence[str | os.PathLike[str]],
    top: int = 30,
    keywords_per_side: int = 20,
    fmt: str | None = None,
    labels: Sequence[str] = (),
    track: Sequence[str] | None = None,
    part: str | None = None,
    lines: ReportLines | None = None,
    warn: Callable[[str], None] = lambda _: None,
) -> str:
    """The report of the table at ``paths[0]``, compared with ``paths[1]`` if given, as HTML text.

    Each table is read once (``-``: standard input), and named on the page by
    ``labels`` or else its file's base name (`table_names`).  A long table or
    a dispersion table (told by its first line, `parts_report.table_kind`)
    is drawn alone, across its parts (the ``top`` most frequent rows, or
    those of ``track``) or as DP against frequency; or, with ``part``, one
    part of a long table is reported as a table.  With ``lines``, a plain
    table's page ends with its top words in context, from the corpus it
    counts (`report_lines`): A's positive keywords, or one table's most
    frequent rows; ``warn`` is told what reading the corpus skips.
    """
    if not 1 <= len(paths) <= 2:
        raise ValueError("a report is of one table or two")
    names = table_names(paths, labels)
    first = os.fspath(paths[0])
    with open_binary(first) as stream:
        stream, fmt = sniffed(stream, fmt)
        head, rest, text = first_line(stream) if fmt != "parquet" else ([], iter(stream), "")
        kind = table_kind(text, fmt)
        if kind != "plain":
            if lines is not None:
                raise OptionError("corpus", f"lines in context are of a plain table, not of a {kind} table")
            if len(paths) > 1:
                raise InputError(
                    f"{display_name(first)}: a {kind} table is reported alone, not against another"
                )
            rows = parts_page_rows(kind, itertools.chain(head, rest) if fmt == "jsonl" else rest, first, fmt)
            if kind == "long" and part is not None:
                name = f"{names[0]}: {part}"
                return render([summarize(one_part(rows, part, first), name, top)])  # type: ignore[arg-type]
            if kind == "long":
                figure = parts_figure(rows, min(top, 8), track, names[0])  # type: ignore[arg-type]
            else:
                figure = dispersion_figure(rows, names[0])  # type: ignore[arg-type]
            return render_figure(names[0], figure)
        if track is not None or part is not None:
            option = "--track" if track is not None else "--part"
            raise InputError(f"{display_name(first)}: {option} is for a long table (count --per-part)")
        rows_a = read_rows(
            stream if fmt == "parquet" else itertools.chain(head, rest),  # type: ignore[arg-type]
            display_name(first),
            fmt,
        )
        if len(paths) == 1:
            summary = summarize(rows_a, names[0], top)
            return render([summary], lines=_top_lines(summary, lines, warn))
        a_counts: Counter[str] = Counter()
        b_counts: Counter[str] = Counter()
        a = summarize(rows_a, names[0], top, a_counts)
    b = summarize(read_table(paths[1], fmt), names[1], top, b_counts)
    keys = keywords(a_counts, b_counts, keywords_per_side)
    return render([a, b], keys, _keyword_lines(keys[0], names[0], lines, warn))


def _top_lines(summary: TableSummary, lines: ReportLines | None, warn: Callable[[str], None]) -> str | None:
    """The section of the lines in context of a table's most frequent rows, if asked."""
    if lines is None:
        return None
    words = [(row[0], f"{row[1]:,} in the table") for row in summary.top[: lines.words]]
    return _lines(words, lines, f"each of the table's {len(words)} most frequent rows", warn)


def _keyword_lines(
    positive: Sequence[KeyRow], name: str, lines: ReportLines | None, warn: Callable[[str], None]
) -> str | None:
    """The section of the lines in context of A's strongest positive keywords, if asked."""
    if lines is None:
        return None
    words = [
        (row.token, f"{row.count_a:,} in A, {row.count_b:,} in B, Log Ratio {row.log_ratio:+.2f}")
        for row in positive[: lines.words]
    ]
    return _lines(words, lines, f"each of the {len(words)} strongest keywords of A ({name})", warn)


def _lines(words: Sequence[tuple[str, str]], lines: ReportLines, of: str, warn: Callable[[str], None]) -> str:
    """The section of ``words`` in context: read from the corpus, then drawn."""
    found = first_lines([word for word, _ in words], lines, warn)
    return lines_section(words, found, lines, of)


def table_names(paths: Sequence[str | os.PathLike[str]], labels: Sequence[str] = ()) -> list[str]:
    """How the page names each table: its label if given, else its file's base name (``<stdin>`` for
    ``-``), with as many of its parent folders as tell two tables apart; never a whole long path."""
    if len(labels) > len(paths):
        raise ValueError("more labels than tables")
    full = [display_name(os.fspath(p)) for p in paths]
    depth = 1
    while True:
        names = [os.path.join(*f.replace(os.sep, "/").split("/")[-depth:]) for f in full]
        if len(set(names)) == len(names) or depth > max(f.count("/") for f in full):
            break
        depth += 1
    return [*labels, *names[len(labels) :]]


# --- the page -----------------------------------------------------------------------


_CSS = (
    """
:root { --a: $A; --b: $B; --ink: #1d1d1f; --muted: #5f6368; --grid: #e3e3e3; }
* { box-sizing: border-box; }
body { font-family: $FONTS; color: var(--ink); background: #fff; margin: 0 auto;
  max-width: 1180px; padding: 1rem 1.25rem 2rem; line-height: 1.45; }
h1 { font-size: 1.5rem; margin: .4rem 0 .2rem; }
h1, h2, p.lead, th { overflow-wrap: anywhere; }
.grid > * { min-width: 0; }
h2 { font-size: 1.1rem; margin: 0 0 .4rem; }
p.lead { color: var(--muted); margin: 0 0 1rem; }
.grid { display: grid; gap: 1.25rem 2rem;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 480px), 1fr)); }
section, figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure { border-top: 1px solid var(--grid); padding-top: .6rem; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .25rem; }
svg { display: block; width: 100%; height: auto; overflow: visible; }
svg text { font-family: inherit; fill: var(--ink); }
svg .axis { stroke: #888; stroke-width: 1; }
svg .gridline { stroke: var(--grid); stroke-width: 1; }
svg .tick { font-size: 11px; fill: var(--muted); }
svg .label { font-size: 12px; fill: var(--muted); }
svg .halo { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
table { border-collapse: collapse; font-size: .9rem; font-variant-numeric: tabular-nums; }
th, td { padding: .15rem .6rem; text-align: right; border-bottom: 1px solid var(--grid); }
th:first-child, td:first-child { text-align: left; }
table.figures { width: 100%; }
details { margin-top: .4rem; font-size: .85rem; overflow-x: auto; }
details table { margin-top: .3rem; }
summary { cursor: pointer; color: var(--muted); }
.key { display: inline-block; width: .8em; height: .8em; border-radius: 2px; vertical-align: -.05em; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .grid { display: block; }
  figure, section { margin-bottom: 1rem; }
  details { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".replace("$A", COLORS[0])
    .replace("$B", COLORS[1])
    .replace("$FONTS", FONT_STACK)
    + LINES_CSS
)


def render(
    summaries: Sequence[TableSummary],
    keys: tuple[Sequence[KeyRow], ...] | None = None,
    lines: str | None = None,
) -> str:
    """The page of one summary, or of two (with their keywords, if given); ``lines``, the section of lines
    in context (`report_lines.lines_section`), ends it."""
    names = " vs ".join(s.name for s in summaries)
    if len(summaries) == 1:
        lead = "What this frequency table says about its corpus."
    else:
        lead = (
            f'<span class="key" style="background:{COLORS[0]}"></span> A: {escape(summaries[0].name)} · '
            f'<span class="key" style="background:{COLORS[1]}"></span> B: {escape(summaries[1].name)}'
        )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>wordfreq report: {escape(names)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>wordfreq report: {escape(names)}</h1>",
        f'<p class="lead">{lead}</p>',
        '<div class="grid">',
        _figures_section(summaries),
        rank_frequency_figure(summaries),
        coverage_figure(summaries),
    ]
    if keys is not None:
        parts.append(keyness_figure(summaries, keys))
    parts.extend(top_figure(s, i if len(summaries) > 1 else 0) for i, s in enumerate(summaries))
    if lines is not None:
        parts.append(lines)
    parts += ["</div>", "</body>", "</html>", ""]
    return "\n".join(parts)


def render_figure(name: str, figure: str) -> str:
    """A page of one figure (a table of parts)."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-Hans">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>wordfreq report: {escape(name)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>wordfreq report: {escape(name)}</h1>",
            '<p class="lead">What this table of parts says about its corpus.</p>',
            figure,
            "</body>",
            "</html>",
            "",
        ]
    )


def _figures_section(summaries: Sequence[TableSummary]) -> str:
    rows: list[tuple[str, list[str]]] = [
        ("tokens", [count_text(s.stats.tokens) for s in summaries]),
        ("types", [count_text(s.stats.types) for s in summaries]),
        (
            "hapax legomena",
            [f"{count_text(s.stats.hapax)} ({percent_text(s.stats.hapax_share)})" for s in summaries],
        ),
    ]
    if any(s.stats.one_doc is not None for s in summaries):
        rows.append(
            (
                "in one document",
                [
                    "n/a"
                    if s.stats.one_doc is None
                    else f"{count_text(s.stats.one_doc)} ({percent_text(s.stats.one_doc_share)})"
                    for s in summaries
                ],
            )
        )
    for k in summaries[0].stats.coverage:
        rows.append((f"top {k:,} coverage", [percent_text(s.stats.coverage.get(k)) for s in summaries]))
    for p in COVERAGE_TARGETS:
        rows.append((f"rows for {p}% of tokens", [count_text(s.vocabulary[p]) for s in summaries]))
    rows.append(
        (
            "Zipf exponent",
            ["n/a" if s.stats.zipf_exponent is None else f"{s.stats.zipf_exponent:.3f}" for s in summaries],
        )
    )
    rows.append(
        (f"rows fitted (count ≥ {ZIPF_MIN_COUNT})", [count_text(s.stats.zipf_rows) for s in summaries])
    )
    head = "".join(f"<th>{escape(s.name)}</th>" for s in summaries)
    body = "".join(
        f"<tr><td>{escape(label)}</td>{''.join(f'<td>{escape(v)}</td>' for v in values)}</tr>"
        for label, values in rows
    )
    return (
        '<section id="figures"><h2>Figures</h2>'
        f'<table class="figures"><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>'
        "<figcaption>As <code>wordfreq stats</code> computes them, from every row of the table.</figcaption>"
        "</section>"
    )


# --- SVG helpers ----------------------------------------------------------------------


# --- the charts -------------------------------------------------------------------------
