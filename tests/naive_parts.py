"""The naive program of counts per part: each part's texts counted whole (`naive.naive_counts`), and the
dispersion measures computed from their definitions in exact fractions (square roots in 60-digit
decimals), rounded half to even to 6 decimals.  Shares nothing with wordfreq's code."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

from naive import naive_counts

Q = Decimal("0.000001")


def part_counts(parts: dict[str, list[str]]) -> dict[str, Counter[str]]:
    """Each part's table; parts without a token are left out."""
    counted = {part: naive_counts(texts) for part, texts in parts.items()}
    return {part: counts for part, counts in counted.items() if sum(counts.values())}


def long_table(parts: dict[str, list[str]], min_count: int = 1, max_rows: int | None = None) -> str:
    return long_table_of_counts(part_counts(parts), min_count, max_rows)


def long_table_of_counts(
    counted: dict[str, Counter[str]], min_count: int = 1, max_rows: int | None = None
) -> str:
    """The long table of each part's table (parts with a token)."""
    lines = ["part\ttoken\tcount\n"]
    for part, counts in sorted(counted.items()):
        rows = sorted(((t, n) for t, n in counts.items() if n >= min_count), key=lambda r: (-r[1], r[0]))
        lines += [f"{part}\t{t}\t{n}\n" for t, n in rows[:max_rows]]
    return "".join(lines)


def _decimal(x: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(x.numerator) / Decimal(x.denominator)


def _round(x: Decimal) -> str:
    return str(x.quantize(Q, rounding=ROUND_HALF_EVEN))


def dispersion(freqs: list[int], sizes: list[int]) -> tuple[str, str, str, str, str]:
    """(per_million, parts, dp, dp_norm, juilland_d) of a row with counts ``freqs`` in parts of ``sizes``."""
    total, f, n = sum(sizes), sum(freqs), len(sizes)
    shares = [Fraction(t, total) for t in sizes]
    dp = sum(abs(Fraction(fi, f) - s) for fi, s in zip(freqs, shares)) / 2
    dp_norm = "" if n == 1 else _round(_decimal(dp / (1 - min(shares))))
    juilland = ""
    if n > 1:
        r = [Fraction(fi, t) for fi, t in zip(freqs, sizes)]
        mean = sum(r) / n
        variance = sum((x - mean) ** 2 for x in r) / n
        with localcontext() as ctx:
            ctx.prec = 60
            d = 1 - _decimal(variance / mean**2 / (n - 1)).sqrt()  # (sigma / mu / sqrt(n - 1))^2 exactly
        juilland = _round(d)
    per_million = _round(_decimal(Fraction(f * 10**6, total)))
    return per_million, str(sum(1 for fi in freqs if fi)), _round(_decimal(dp)), dp_norm, juilland


def dispersion_table(parts: dict[str, list[str]], min_count: int = 1, max_rows: int | None = None) -> str:
    return dispersion_table_of_counts(part_counts(parts), min_count, max_rows)


def dispersion_table_of_counts(
    counted: dict[str, Counter[str]], min_count: int = 1, max_rows: int | None = None
) -> str:
    """The dispersion table of each part's table (parts with a token)."""
    names = sorted(counted)
    sizes = [sum(counted[p].values()) for p in names]
    totals: Counter[str] = Counter()
    for counts in counted.values():
        totals.update(counts)
    rows = sorted(((t, n) for t, n in totals.items() if n >= min_count), key=lambda r: (-r[1], r[0]))
    lines = ["token\tcount\tper_million\tparts\tdp\tdp_norm\tjuilland_d\n"]
    for token, n in rows[:max_rows]:
        fields = dispersion([counted[p][token] for p in names], sizes)
        lines.append("\t".join((token, str(n), *fields)) + "\n")
    return "".join(lines)
