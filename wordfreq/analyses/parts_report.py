"""The report of a table of parts: a long table's rows across its parts, a dispersion table's dp.

`wordfreq.analyses.report` draws a frequency table; this module draws the two
tables of a count by part, on the same page layout (its CSS, its chart
helpers in `wordfreq.analyses.charts`):

* a long table (``count --per-part``): the per-million frequency of the
  most frequent rows of the whole (or of the rows of ``track``) in each
  part, parts in their order along the x axis, a line per row; with a
  ``<details>`` table of the same numbers.  Reading it keeps each part's
  size and each row's counts by part: memory grows with the long table;
* a dispersion table (``count --dispersion``): DP (y, 0 to 1) against the
  per-million frequency (x, log scale) of its `MAX_POINTS` most frequent
  rows, the `LABELLED` most frequent named.

`table_kind` tells the three kinds of table apart by their first line alone.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from wordfreq.analyses.charts import _clip, _details, _figure, _px, _short, _text, escape
from wordfreq.analyses.dispersion import DISPERSION_COLUMNS, DispersionRow
from wordfreq.errors import InputError
from wordfreq.tables.long import LONG_COLUMNS, LongRow, long_rows_of_lines

MAX_POINTS = 2000
LABELLED = 12
PALETTE = ("#2a6fb0", "#d0641c", "#2e9e5b", "#9b59b6", "#c0392b", "#16a085", "#7f6a00", "#e84393")


def _hline(x1: float, x2: float, y: float, cls: str = "gridline") -> str:
    return f'<line class="{cls}" x1="{_px(x1)}" x2="{_px(x2)}" y1="{_px(y)}" y2="{_px(y)}"/>'


def _vline(x: float, y1: float, y2: float, cls: str = "gridline") -> str:
    return f'<line class="{cls}" x1="{_px(x)}" x2="{_px(x)}" y1="{_px(y1)}" y2="{_px(y2)}"/>'


def _y_label(text: str, mid: float) -> str:
    return _text(14, mid, text, "label", "middle", f' transform="rotate(-90 14 {_px(mid)})"')


def table_kind(first_line: str, fmt: str) -> str:
    """``long``, ``dispersion`` or ``plain``: what a table is, by its first line (its line end stripped)."""
    if fmt == "jsonl":
        try:
            obj = json.loads(first_line)
        except ValueError:
            return "plain"
        if isinstance(obj, dict) and "part" in obj:
            return "long"
        return "dispersion" if isinstance(obj, dict) and "dp" in obj else "plain"
    sep = "\t" if fmt == "tsv" else ","
    if first_line in ("\t".join(LONG_COLUMNS), ",".join(LONG_COLUMNS)):
        return "long"
    return "dispersion" if first_line == sep.join(DISPERSION_COLUMNS) else "plain"


# --- reading ----------------------------------------------------------------------------------------


def dispersion_rows_of_lines(lines: Iterable[bytes], name: str, fmt: str) -> Iterator[DispersionRow]:
    """The rows of a dispersion table's lines (TSV or CSV without their header line, or JSON Lines)."""
    import csv

    decoded = (raw.decode("utf-8") for raw in lines)
    records: Iterable[list[str] | str] = csv.reader(decoded) if fmt == "csv" else decoded
    for number, record in enumerate(records, 2 if fmt != "jsonl" else 1):
        try:
            if fmt == "jsonl":
                obj = json.loads(str(record))
                fields = [str(obj[c]) if obj[c] is not None else "" for c in DISPERSION_COLUMNS]
                fields[0] = obj["token"]
            elif fmt == "csv":
                fields = list(record)
            else:
                fields = str(record).rstrip("\r\n").split("\t")
            if fields == [""] or not any(fields):
                continue
            token, count, per_million, parts, dp, dp_norm, juilland = fields
            yield DispersionRow(
                token,
                int(count),
                Decimal(per_million),
                int(parts),
                Decimal(dp),
                Decimal(dp_norm) if dp_norm else None,
                Decimal(juilland) if juilland else None,
            )
        except (ValueError, KeyError, TypeError, ArithmeticError):
            raise InputError(f"{name}: line {number}: expected a row of a dispersion table") from None


# --- a long table -----------------------------------------------------------------------------------


def parts_figure(rows: Iterable[LongRow], top: int, track: Sequence[str] | None, name: str) -> str:
    """The chart of the per-million frequency of rows across the parts of a long table."""
    sizes: dict[str, int] = {}
    totals: Counter[str] = Counter()
    by_row: dict[str, dict[str, int]] = {}
    for part, row, n in rows:
        sizes[part] = sizes.get(part, 0) + n
        if track is None or row in track:
            totals[row] += n
            by_row.setdefault(row, {})[part] = n
    parts = sorted(sizes)
    if track is not None:
        chosen = list(dict.fromkeys(track))
    else:
        chosen = [row for row, _ in heapq.nsmallest(top, totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    series = {
        row: [by_row.get(row, {}).get(p, 0) * 1e6 / sizes[p] if sizes[p] else 0.0 for p in parts]
        for row in chosen
    }
    width, height = 720, 360
    left, right, top_m, bottom = 64, 150, 16, 70
    peak = max((v for values in series.values() for v in values), default=0.0) or 1.0
    y_ticks = _nice_ticks(peak)
    y_hi = y_ticks[-1]
    span_x = width - left - right
    span_y = height - top_m - bottom

    def x(i: int) -> float:
        return left + (span_x * (i + 0.5) / len(parts) if parts else 0)

    def y(v: float) -> float:
        return height - bottom - span_y * v / y_hi

    body = []
    for t in y_ticks:
        body.append(
            f'<line class="gridline" x1="{left}" x2="{width - right}" y1="{_px(y(t))}" y2="{_px(y(t))}"/>'
        )
        body.append(_text(left - 6, y(t) + 4, _short(t), "tick", "end"))
    step = max(1, math.ceil(len(parts) / 24))  # at most 24 part names under the axis
    for i, part in enumerate(parts):
        if i % step == 0:
            extra = f' transform="rotate(-40 {_px(x(i))} {_px(height - bottom + 14)})"'
            body.append(_text(x(i), height - bottom + 14, _clip(part, 14), "tick", "end", extra))
    base = height - bottom
    body.append(_hline(left, width - right, base, "axis"))
    body.append(_vline(left, top_m, base, "axis"))
    body.append(_y_label("per million tokens", (top_m + base) / 2))
    for k, (row, values) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        points = " ".join(f"{_px(x(i))},{_px(y(v))}" for i, v in enumerate(values))
        body.append(
            f'<g class="series"><title>{escape(row)}</title>'
            f'<polyline class="series" points="{points}" fill="none" stroke="{color}" stroke-width="2"/>'
            + "".join(
                f'<circle cx="{_px(x(i))}" cy="{_px(y(v))}" r="2.5" fill="{color}"/>'
                for i, v in enumerate(values)
            )
            + "</g>"
        )
        ly = top_m + 10 + 16 * k
        body.append(
            f'<line x1="{width - right + 12}" x2="{width - right + 30}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{color}" stroke-width="2"/>'
        )
        body.append(_text(width - right + 36, ly, _clip(row, 12), "tick"))
    if not parts or not series:
        body.append(_text(width / 2, height / 2, "nothing to draw", "label", "middle"))
    what = "the rows tracked" if track is not None else f"the {len(series)} most frequent rows"
    title = f"Per-million frequency of {what} across the {len(parts)} parts of {name}"
    desc = f"{title}: " + "; ".join(
        f"{row}: " + ", ".join(f"{p} {v:.1f}" for p, v in zip(parts[:12], values))
        for row, values in series.items()
    )
    return _figure(
        "parts",
        f"Across the parts: {escape(name)}",
        (width, height),
        (title, desc[:2000]),
        body,
        "Per million tokens of each part; parts in code-point order of their names.",
        _details(
            "Data: per million tokens of each part",
            ["part", "tokens", *series],
            [[p, f"{sizes[p]:,}", *(f"{series[r][i]:.2f}" for r in series)] for i, p in enumerate(parts)],
        ),
    )


def _nice_ticks(peak: float) -> list[float]:
    """0 and four or five round steps up to past ``peak``."""
    raw = peak / 4
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [step * i for i in range(int(math.ceil(peak / step - 1e-9)) + 1)] or [0.0, 1.0]


# --- a dispersion table -------------------------------------------------------------------------------


def dispersion_figure(rows: Iterable[DispersionRow], name: str) -> str:
    """DP against the per-million frequency of the most frequent rows of a dispersion table."""
    kept = heapq.nsmallest(MAX_POINTS, rows, key=lambda r: (-r.count, r.token))
    width, height = 720, 420
    left, right, top_m, bottom = 64, 20, 16, 46
    peak = float(max((r.per_million for r in kept), default=Decimal(1)))
    low = float(min((r.per_million for r in kept), default=Decimal(1)))
    lo_exp = math.floor(math.log10(low)) if low > 0 else 0
    hi_exp = max(lo_exp + 1, math.ceil(math.log10(peak)) if peak > 0 else 1)
    span_x, span_y = width - left - right, height - top_m - bottom

    def x(v: float) -> float:
        return left + span_x * (math.log10(max(v, 10.0**lo_exp)) - lo_exp) / (hi_exp - lo_exp)

    def y(v: float) -> float:
        return height - bottom - span_y * v

    body = []
    for e in range(lo_exp, hi_exp + 1):
        tick = 10.0**e
        body.append(_vline(x(tick), top_m, height - bottom))
        body.append(
            _text(x(tick), height - bottom + 15, _short(tick) if e >= 0 else f"{tick:g}", "tick", "middle")
        )
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        body.append(
            f'<line class="gridline" x1="{left}" x2="{width - right}" y1="{_px(y(t))}" y2="{_px(y(t))}"/>'
        )
        body.append(_text(left - 6, y(t) + 4, f"{t:g}", "tick", "end"))
    base = height - bottom
    body.append(_hline(left, width - right, base, "axis"))
    body.append(_vline(left, top_m, base, "axis"))
    body.append(
        _text((left + width - right) / 2, height - 6, "per million tokens (log scale)", "label", "middle")
    )
    mid = (top_m + base) / 2
    body.append(
        _text(
            14,
            mid,
            "DP (0 even, 1 in one part)",
            "label",
            "middle",
            f' transform="rotate(-90 14 {_px(mid)})"',
        )
    )
    for r in reversed(kept):
        body.append(
            f'<circle class="point" cx="{_px(x(float(r.per_million)))}" cy="{_px(y(float(r.dp)))}" r="2.5" '
            f'fill="{PALETTE[0]}" fill-opacity="0.55"><title>{escape(r.token)}: {r.per_million} per million, '
            f"DP {r.dp}</title></circle>"
        )
    for r in kept[:LABELLED]:
        body.append(_text(x(float(r.per_million)) + 5, y(float(r.dp)) - 4, _clip(r.token, 8), "tick halo"))
    if not kept:
        body.append(_text(width / 2, height / 2, "empty table: nothing to draw", "label", "middle"))
    title = f"DP against frequency of the {len(kept)} most frequent rows of {name}"
    desc = f"{title}: " + ", ".join(f"{r.token} {r.per_million} per million, DP {r.dp}" for r in kept[:10])
    return _figure(
        "dispersion",
        f"Dispersion: {escape(name)}",
        (width, height),
        (title, desc),
        body,
        "DP of Gries (2008): 0 when a row is spread over the parts as the tokens are, near 1 in one part.",
        _details(
            "Data: the most frequent rows",
            list(DISPERSION_COLUMNS),
            [
                [r.token, f"{r.count:,}", r.per_million, r.parts, r.dp, r.dp_norm or "", r.juilland_d or ""]
                for r in kept[:50]
            ],
        ),
    )


def parts_page_rows(kind: str, lines: Iterator[bytes], name: str, fmt: str) -> Iterable[object]:
    """The rows of a long or dispersion table's ``lines`` (its header line read already, in TSV/CSV)."""
    if kind == "long":
        return long_rows_of_lines(lines, name, fmt)
    return dispersion_rows_of_lines(lines, name, fmt)
