"""The report's drawings: SVG charts and the small formatting helpers the page shares with them.

This module owns how the figures of `wordfreq.analyses.report` are drawn:
the rank-frequency plot, the coverage curve, the bars of the top rows and of
the keywords, each an inline ``<svg>`` with a ``<details>`` table of the
same numbers for readers who cannot see it; and `TableSummary`, the figures
of one table that every chart reads.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from wordfreq.analyses.keyness import KeyRow, critical_value
from wordfreq.analyses.stats import ZIPF_MIN_COUNT, TableStats
from wordfreq.reduce.order import Row

COVERAGE_TARGETS = (50, 80, 90, 95)  # percent of all tokens
SIGNIFICANT_G2 = critical_value(0.01)  # 6.63..., as `wordfreq compare --p 0.01` keeps


COLORS = ("#2a6fb0", "#d0641c")  # table A, table B


_LABEL_CHARS = 8  # a bar's label longer than this is cut with an ellipsis (the tooltip has it all)


@dataclass(frozen=True)
class TableSummary:
    """What the report shows of one table, all of it small whatever the table's size."""

    name: str
    stats: TableStats
    top: list[Row]  # the most frequent rows, in table order
    rank_counts: list[tuple[int, int]]  # (rank, count) at log-spaced ranks, exact
    coverage_curve: list[tuple[int, float]]  # (rank, share of tokens in the top `rank` rows), exact
    vocabulary: dict[int, int | None]  # percent of tokens -> the fewest rows that cover it
    zipf_intercept: float | None  # log(count) at rank 1 of the fitted line, natural log


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def count_text(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"


def percent_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _px(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _figure(
    chart: str,
    heading: str,
    size: tuple[int, int],
    labels: tuple[str, str],
    body: Iterable[str],
    caption: str,
    *extras: str,
) -> str:
    """One chart as a figure: its heading, the SVG (titled and described), a caption and data tables.

    ``heading`` and ``caption`` are HTML; ``labels`` are the SVG's title and description (text).
    """
    width, height = size
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (
        f'<figure id="{chart}"><h2>{heading}</h2>'
        + _svg_open(chart, width, height, *labels)
        + "".join(body)
        + "</svg>"
        + figcaption
        + "".join(extras)
        + "</figure>"
    )


def _svg_open(chart: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg class="chart" data-chart="{chart}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart}-title {chart}-desc">'
        f'<title id="{chart}-title">{escape(title)}</title><desc id="{chart}-desc">{escape(desc)}</desc>'
    )


def _text(x: float, y: float, text: str, cls: str = "", anchor: str = "start", extra: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{_px(x)}" y="{_px(y)}" text-anchor="{anchor}"{klass}{extra}>{escape(text)}</text>'


def _short(value: float) -> str:
    """1, 10, 100, 1k, 10k, 1M: a tick label."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _log_ticks(top: float) -> list[float]:
    """Ticks from 1 to past ``top``: decades, and 2 and 5 between them when there are few decades."""
    decades = max(1, math.ceil(math.log10(max(top, 1)) - 1e-9))
    ticks = [10.0**d for d in range(decades + 1)]
    if decades <= 2:
        ticks = sorted({t * m for t in ticks for m in (1, 2, 5) if t * m <= 10**decades})
    return ticks


class _LogAxes:
    """A plot area with a log-scaled x axis (ranks) and a log or linear y axis."""

    def __init__(
        self, width: int, height: int, x_max: float, y_max: float, y_log: bool, margin: tuple[int, ...]
    ):
        self.left, self.right, self.top, self.bottom = margin
        self.width, self.height = width, height
        self.x_ticks = _log_ticks(x_max)
        self.x_hi = math.log10(self.x_ticks[-1]) or 1.0
        self.y_log = y_log
        self.y_ticks = _log_ticks(y_max) if y_log else [0.0, 0.25, 0.5, 0.75, 1.0]
        self.y_hi = (math.log10(self.y_ticks[-1]) or 1.0) if y_log else 1.0

    def x(self, rank: float) -> float:
        span = self.width - self.left - self.right
        return self.left + span * math.log10(max(rank, 1)) / self.x_hi

    def y(self, value: float) -> float:
        span = self.height - self.top - self.bottom
        fraction = math.log10(max(value, 1)) / self.y_hi if self.y_log else value
        return self.height - self.bottom - span * fraction

    def frame(self, x_label: str, y_label: str) -> str:
        out = []
        x0, x1 = self.left, self.width - self.right
        y0, y1 = self.height - self.bottom, self.top
        for t in self.x_ticks:
            x = self.x(t)
            out.append(f'<line class="gridline" x1="{_px(x)}" x2="{_px(x)}" y1="{y1}" y2="{y0}"/>')
            out.append(_text(x, y0 + 15, _short(t), "tick", "middle"))
        for t in self.y_ticks:
            y = self.y(t)
            out.append(f'<line class="gridline" x1="{x0}" x2="{x1}" y1="{_px(y)}" y2="{_px(y)}"/>')
            label = _short(t) if self.y_log else f"{t:.0%}"
            out.append(_text(x0 - 6, y + 4, label, "tick", "end"))
        out.append(f'<line class="axis" x1="{x0}" x2="{x1}" y1="{y0}" y2="{y0}"/>')
        out.append(f'<line class="axis" x1="{x0}" x2="{x0}" y1="{y1}" y2="{y0}"/>')
        out.append(_text((x0 + x1) / 2, self.height - 6, x_label, "label", "middle"))
        mid = (y0 + y1) / 2
        out.append(_text(14, mid, y_label, "label", "middle", f' transform="rotate(-90 14 {_px(mid)})"'))
        return "".join(out)


def _polyline(points: Iterable[tuple[float, float]], color: str, extra: str = "") -> str:
    coords = " ".join(f"{_px(x)},{_px(y)}" for x, y in points)
    return f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"{extra}/>'


def _details(caption: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows)
    return (
        f"<details><summary>{escape(caption)}</summary>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>"
    )


def _legend(summaries: Sequence[TableSummary], x: float, y: float, extra: str = "") -> str:
    if len(summaries) < 2 and not extra:
        return ""
    out = []
    for i, s in enumerate(summaries if len(summaries) > 1 else ()):
        yy = y + 16 * i
        out.append(
            f'<line x1="{_px(x)}" x2="{_px(x + 18)}" y1="{_px(yy - 4)}" y2="{_px(yy - 4)}" '
            f'stroke="{COLORS[i]}" stroke-width="2"/>'
        )
        out.append(_text(x + 24, yy, f"{'AB'[i]}: {_clip(s.name, 28)}", "tick"))
    if extra:
        yy = y + 16 * (len(summaries) if len(summaries) > 1 else 0)
        out.append(
            f'<line x1="{_px(x)}" x2="{_px(x + 18)}" y1="{_px(yy - 4)}" y2="{_px(yy - 4)}" '
            f'stroke="#555" stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        out.append(_text(x + 24, yy, extra, "tick"))
    return "".join(out)


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def rank_frequency_figure(summaries: Sequence[TableSummary]) -> str:
    width, height = 520, 340
    x_max = max((s.stats.types for s in summaries), default=1)
    y_max = max((s.rank_counts[0][1] for s in summaries if s.rank_counts), default=1)
    axes = _LogAxes(width, height, x_max, y_max, True, (56, 16, 14, 44))
    body = [axes.frame("rank (log scale)", "count (log scale)")]
    fits = []
    for i, s in enumerate(summaries):
        color = COLORS[i if len(summaries) > 1 else 0]
        intercept, exponent = s.zipf_intercept, s.stats.zipf_exponent
        if intercept is not None and exponent is not None:
            # log(count) = intercept - exponent * log(rank), over the ranks fitted
            end = s.stats.zipf_rows
            line = [(1, math.exp(intercept)), (end, math.exp(intercept - exponent * math.log(end)))]
            body.append(
                _polyline(
                    [(axes.x(r), axes.y(max(c, 1))) for r, c in line],
                    color,
                    ' stroke-dasharray="5 3" stroke-width="1.5" opacity="0.9" class="zipf-fit"',
                )
            )
            fits.append(f"{'AB'[i] + ': ' if len(summaries) > 1 else ''}s = {exponent:.3f}")
        if s.rank_counts:
            body.append(
                _polyline([(axes.x(r), axes.y(c)) for r, c in s.rank_counts], color, ' class="series"')
            )
    if not any(s.rank_counts for s in summaries):
        body.append(_text(width / 2, height / 2, "empty table: nothing to draw", "label", "middle"))
    fit_label = "Zipf fit, " + "; ".join(fits) if fits else ""
    body.append(_legend(summaries, width - 200, 30, fit_label))
    desc = (
        "Each row's count against its rank, both on log scales, sampled at log-spaced ranks; "
        "the dashed line is the least-squares Zipf fit over the rows counted at least twice. "
        + " ".join(
            f"{s.name}: {s.stats.types:,} rows, exponent "
            + ("n/a" if s.stats.zipf_exponent is None else f"{s.stats.zipf_exponent:.3f}")
            + "."
            for s in summaries
        )
    )
    header = ["rank", *(f"count in {s.name}" for s in summaries)]
    table = _merged_rows([dict(s.rank_counts) for s in summaries], lambda v: f"{v:,}")
    return _figure(
        "rank-frequency",
        "Rank and frequency",
        (width, height),
        ("Rank-frequency plot (log-log) with the Zipf fit", desc),
        body,
        "Log-log; a straight line is Zipf's law. Dashed: the fitted line, drawn over "
        f"the rows counted at least {ZIPF_MIN_COUNT} times (the rows it was fitted on).",
        _details("Data: counts at sampled ranks", header, table),
    )


def _merged_rows(series: Sequence[dict[int, float]], show: Callable[[float], str]) -> list[list[str]]:
    """One row per rank of any series: the rank, then each series' value there (blank if none)."""
    ranks = sorted({r for s in series for r in s})
    return [[f"{r:,}", *("" if r not in s else show(s[r]) for s in series)] for r in ranks]


def coverage_figure(summaries: Sequence[TableSummary]) -> str:
    width, height = 520, 340
    x_max = max((s.stats.types for s in summaries), default=1)
    axes = _LogAxes(width, height, x_max, 1.0, False, (56, 16, 14, 44))
    body = [axes.frame("vocabulary size: the most frequent rows (log scale)", "share of tokens")]
    labels: list[tuple[float, float, str, str]] = []  # x, y, text, color
    for i, s in enumerate(summaries):
        color = COLORS[i if len(summaries) > 1 else 0]
        if not s.coverage_curve:
            continue
        body.append(
            _polyline([(axes.x(r), axes.y(c)) for r, c in s.coverage_curve], color, ' class="series"')
        )
        for p, size in s.vocabulary.items():
            if size is None:
                continue
            x, y = axes.x(size), axes.y(p / 100)
            body.append(
                f'<line x1="{_px(x)}" x2="{_px(x)}" y1="{_px(y)}" y2="{_px(axes.y(0))}" stroke="{color}" '
                'stroke-width="1" stroke-dasharray="2 3" opacity="0.7"/>'
                f'<circle class="marker" cx="{_px(x)}" cy="{_px(y)}" r="3.5" fill="#fff" stroke="{color}" '
                f'stroke-width="2"><title>{p}% of tokens: {size:,} rows</title></circle>'
            )
            labels.append((x, y, f"{p}%: {size:,}", color))
    body.extend(_placed_labels(labels, axes.left + 4, width - axes.right))
    if not any(s.coverage_curve for s in summaries):
        body.append(_text(width / 2, height / 2, "empty table: nothing to draw", "label", "middle"))
    body.append(_legend(summaries, width - 200, height - 90))
    desc = (
        "The share of all tokens covered by the most frequent rows, against their number (log scale). "
        + " ".join(
            f"{s.name}: "
            + ", ".join(f"{p}% of tokens in {count_text(v)} rows" for p, v in s.vocabulary.items())
            + "."
            for s in summaries
        )
    )
    header = ["rows", *(f"share of tokens in {s.name}" for s in summaries)]
    table = _merged_rows([dict(s.coverage_curve) for s in summaries], lambda v: f"{v:.2%}")
    sizes = _details(
        "Data: rows needed for 50/80/90/95% of tokens",
        ["share of tokens", *(s.name for s in summaries)],
        [[f"{p}%", *(count_text(s.vocabulary[p]) for s in summaries)] for p in COVERAGE_TARGETS],
    )
    return _figure(
        "coverage",
        "Coverage",
        (width, height),
        ("Coverage curve: share of tokens in the top rows", desc),
        body,
        "How many of the most frequent rows a vocabulary needs to cover 50, 80, 90 "
        "and 95% of all tokens (marked, exact).",
        sizes,
        _details("Data: coverage at sampled ranks", header, table),
    )


def _placed_labels(labels: list[tuple[float, float, str, str]], x_min: float, x_max: float) -> list[str]:
    """Marker labels left of their points (the empty side of a coverage curve), never overlapping.

    Right of the point when there is no room on the left; each label is
    moved down until it overlaps no label placed before it.
    """
    out: list[str] = []
    placed: list[tuple[float, float, float]] = []  # x0, x1, baseline
    for x, y, text, color in sorted(labels, key=itemgetter(1)):
        w = 6.2 * len(text)
        x0 = x - 7 - w if x - 7 - w >= x_min else min(x + 7, x_max - w)
        base = y + 4
        while any(a < x0 + w and x0 < b and abs(base - other) < 13 for a, b, other in placed):
            base += 13
        placed.append((x0, x0 + w, base))
        out.append(_text(x0, base, text, "tick halo", "start", f' style="fill:{color}"'))
    return out


def _bar_label(token: str) -> str:
    return _clip(token, _LABEL_CHARS)


def top_figure(s: TableSummary, index: int) -> str:
    rows = s.top
    bar, gap, head, foot = 17, 5, 8, 6
    width, label_w, count_w = 520, 96, 64
    height = head + foot + max(len(rows), 1) * (bar + gap)
    peak = max((row[1] for row in rows), default=0) or 1
    span = width - label_w - count_w - 10
    color = COLORS[index]
    body = []
    x0 = label_w + 6
    for i, row in enumerate(rows):
        token, count = row[0], row[1]
        y = head + i * (bar + gap)
        w = max(span * count / peak, 1 if count else 0)
        body.append(
            f'<g class="bar"><title>{escape(token)}: {count:,}</title>'
            + _text(label_w, y + bar - 4, _bar_label(token), "bar-label", "end", ' style="font-size:13px"')
            + f'<rect x="{x0}" y="{y}" width="{_px(w)}" height="{bar}" fill="{color}" rx="2"/>'
            + _text(x0 + w + 5, y + bar - 4, f"{count:,}", "tick")
            + "</g>"
        )
    if not rows:
        body.append(_text(width / 2, head + 14, "empty table: nothing to draw", "label", "middle"))
    y_axis = head + max(len(rows), 1) * (bar + gap)
    body.append(f'<line class="axis" x1="{x0}" x2="{x0}" y1="{head - 2}" y2="{y_axis}"/>')
    chart = f"top-{index}"
    title = f"The {len(rows)} most frequent rows of {s.name}"
    desc = (
        f"{title}, as horizontal bars with their counts: "
        + ", ".join(f"{row[0]} {row[1]:,}" for row in rows[:10])
        + ("…" if len(rows) > 10 else "")
    )
    return _figure(
        chart,
        f"Most frequent: {escape(s.name)}",
        (width, height),
        (title, desc),
        body,
        "",
        _details(
            "Data: the most frequent rows",
            ["rank", "token", "count", "share of tokens"],
            [
                [
                    f"{i:,}",
                    row[0],
                    f"{row[1]:,}",
                    percent_text(row[1] / s.stats.tokens if s.stats.tokens else None),
                ]
                for i, row in enumerate(rows, 1)
            ],
        ),
    )


def keyness_figure(summaries: Sequence[TableSummary], keys: tuple[Sequence[KeyRow], ...]) -> str:
    positive, negative = keys
    rows = [*positive, *reversed(negative)]  # most A-ish at the top, most B-ish at the bottom
    bar, gap, head, foot = 17, 5, 26, 56
    width = 520
    height = head + foot + max(len(rows), 1) * (bar + gap)
    limit = max(math.ceil(max((abs(r.log_ratio) for r in rows), default=1.0)), 1)
    mid, half = width / 2, (width / 2 - 80)
    name_a, name_b = (_clip(s.name, 24) for s in summaries)

    def x(value: float) -> float:
        return mid + half * value / limit

    body = [
        _text(mid + 6, 14, f"more in A ({name_a}) →", "label", "start", f' style="fill:{COLORS[0]}"'),
        _text(mid - 6, 14, f"← more in B ({name_b})", "label", "end", f' style="fill:{COLORS[1]}"'),
    ]
    step = max(1, math.ceil(limit / 4))
    bottom = head + max(len(rows), 1) * (bar + gap)
    for t in range(-limit, limit + 1, step):
        xx = x(t)
        body.append(f'<line class="gridline" x1="{_px(xx)}" x2="{_px(xx)}" y1="{head - 4}" y2="{bottom}"/>')
        body.append(_text(xx, bottom + 14, f"{t:+d}" if t else "0", "tick", "middle"))
    for i, r in enumerate(rows):
        y = head + i * (bar + gap)
        significant = r.ll >= SIGNIFICANT_G2
        color = COLORS[0] if r.log_ratio > 0 else COLORS[1]
        x1 = x(r.log_ratio)
        left, w = min(mid, x1), abs(x1 - mid)
        mark = " **" if significant else ""
        value = f"{r.log_ratio:+.2f}{mark}"
        label_x, anchor = (mid - 5, "end") if r.log_ratio > 0 else (mid + 5, "start")
        value_x, value_anchor = (x1 + 4, "start") if r.log_ratio > 0 else (x1 - 4, "end")
        body.append(
            f'<g class="keyword{" significant" if significant else ""}"><title>{escape(r.token)}: '
            f"A {r.count_a:,}, B {r.count_b:,}; Log Ratio {r.log_ratio:+.3f}; G² {r.ll:.2f}</title>"
            + _text(label_x, y + bar - 4, _bar_label(r.token), "bar-label", anchor, ' style="font-size:13px"')
            + f'<rect x="{_px(left)}" y="{y}" width="{_px(max(w, 1))}" height="{bar}" fill="{color}" rx="2"'
            + ("" if significant else ' fill-opacity="0.35"')
            + "/>"
            + _text(value_x, y + bar - 4, value, "tick", value_anchor)
            + "</g>"
        )
    if not rows:
        body.append(
            _text(
                mid,
                head + 14,
                "no keywords: the tables have the same relative frequencies",
                "label",
                "middle",
            )
        )
    body.append(f'<line class="axis" x1="{_px(mid)}" x2="{_px(mid)}" y1="{head - 4}" y2="{bottom}"/>')
    body.append(
        _text(mid, bottom + 32, "Log Ratio: log₂ of relative frequency in A / in B", "label", "middle")
    )
    body.append(
        _text(
            mid,
            bottom + 48,
            f"solid, **: significant, G² ≥ {SIGNIFICANT_G2:.2f} (p < 0.01); pale: not significant",
            "tick",
            "middle",
        )
    )
    desc = (
        f"Keywords of A ({summaries[0].name}) against B ({summaries[1].name}): the {len(positive)} rows "
        f"most frequent in A relative to B by Log Ratio, and the {len(negative)} most frequent in B. "
        f"Significant rows (G² at least {SIGNIFICANT_G2:.2f}, p < 0.01) are solid and marked **."
    )
    return _figure(
        "keyness",
        "Keywords",
        (width, height),
        ("Keyness: Log Ratio of the top keywords of A and of B", desc),
        body,
        "Log Ratio 1 means twice as frequent (per token) in A as in B, −1 twice as "
        "frequent in B; G² (log-likelihood) says whether the difference is more than chance.",
        _details(
            "Data: keywords",
            ["token", "count in A", "count in B", "Log Ratio", "G²", "p < 0.01"],
            [
                [
                    r.token,
                    f"{r.count_a:,}",
                    f"{r.count_b:,}",
                    f"{r.log_ratio:+.3f}",
                    f"{r.ll:.2f}",
                    "yes" if r.ll >= SIGNIFICANT_G2 else "no",
                ]
                for r in rows
            ],
        ),
    )
