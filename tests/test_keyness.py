"""Keyness (`wordfreq.analyses.keyness`, ``wordfreq compare``): each statistic, the order, the filters,
the CLI.

The statistics are checked against worked examples (one published, the
others with their arithmetic in the docstring) and, on random counts,
against independent computations: G² in its entropy form in 60-digit
decimals, Log Ratio, %DIFF and the sign in exact fractions.  The G² tested
is the one implemented: Rayson & Garside's keyness G² over the token's two
cells (a in A, b in B), not the four-cell G² of the full 2x2 table.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

import wordfreq
from wordfreq.analyses.keyness import (
    KeyRow,
    compare,
    critical_value,
    key_row,
    log_likelihood,
    log_ratio,
    p_value,
    pct_diff,
    token_counts,
)
from wordfreq.cli import cli
from wordfreq.errors import InputError, OptionError

from conftest import cli_runner


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


@st.composite
def corpus_counts(draw: st.DrawFn) -> tuple[int, int, int, int]:
    """(a, b, n_a, n_b): a token's counts and the corpus sizes, a <= n_a, b <= n_b, a + b >= 1."""
    n_a = draw(st.integers(1, 10**9))
    n_b = draw(st.integers(1, 10**9))
    a = draw(st.integers(0, n_a))
    b = draw(st.integers(0 if a else 1, n_b))
    return a, b, n_a, n_b


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-12, abs=1e-12)


# --- the statistics -----------------------------------------------------------


def test_rayson_ucrel_worked_example() -> None:
    """UCREL's log-likelihood calculator (Rayson): 52 in 50,000 words against 57 in 75,000: LL +2.65.

    E_a = 50,000 x 109 / 125,000 = 43.6 and E_b = 75,000 x 109 / 125,000 = 65.4;
    G² = 2 (52 ln(52 / 43.6) + 57 ln(57 / 65.4)) = 2 (9.16192 - 7.83637) = 2.6511.
    Log Ratio = log2((52 / 50,000) / (57 / 75,000)) = log2(1.04e-3 / 7.6e-4) = log2(1.368421) = 0.45251;
    %DIFF = (1,040 - 760) / 760 x 100 = 36.842 (per million: 1,040 and 760).
    """
    row = key_row("word", 52, 57, 50_000, 75_000)
    assert round(row.ll, 2) == 2.65 and row.positive
    assert (round(row.per_million_a / 1e4, 2), round(row.per_million_b / 1e4, 2)) == (0.10, 0.08)  # percent
    assert row.log_ratio == pytest.approx(0.452512, abs=1e-6)
    assert row.pct_diff == pytest.approx(36.842105, abs=1e-6)


def test_hand_computed_example() -> None:
    """10 in 1,000 tokens against 5 in 2,000.

    E_a = 1,000 x 15 / 3,000 = 5, E_b = 2,000 x 15 / 3,000 = 10;
    G² = 2 (10 ln(10 / 5) + 5 ln(5 / 10)) = 2 (10 ln 2 - 5 ln 2) = 10 ln 2 = 6.9315.
    Per million: 10,000 and 2,500; Log Ratio = log2(10,000 / 2,500) = log2 4 = 2;
    %DIFF = (10,000 - 2,500) / 2,500 x 100 = 300.
    """
    row = key_row("x", 10, 5, 1_000, 2_000)
    assert (row.per_million_a, row.per_million_b) == (10_000, 2_500)
    assert row.ll == approx(10 * math.log(2))
    assert row.log_ratio == approx(2.0)
    assert row.pct_diff == approx(300.0)
    assert row.sign == 1 and row.positive


def test_zero_count_in_a() -> None:
    """0 in 1,000 against 8 in 2,000: the zero term of G² is 0, Log Ratio takes 0.5 for 0.

    E_b = 2,000 x 8 / 3,000 = 16/3; G² = 2 x 8 ln(8 / (16/3)) = 16 ln 1.5 = 6.4875.
    Log Ratio = log2((0.5 / 1,000) / (8 / 2,000)) = log2(0.0005 / 0.004) = log2(1/8) = -3;
    %DIFF = (0 - 4,000) / 4,000 x 100 = -100.
    """
    row = key_row("y", 0, 8, 1_000, 2_000)
    assert row.ll == approx(16 * math.log(1.5))
    assert row.log_ratio == approx(-3.0)
    assert row.pct_diff == -100.0
    assert row.sign == -1 and not row.positive


def test_zero_count_in_b() -> None:
    """6 in 1,000 against 0 in 2,000: %DIFF takes 1e-18 per million for the zero, as Gabrielatos does.

    E_a = 1,000 x 6 / 3,000 = 2; G² = 2 x 6 ln(6 / 2) = 12 ln 3 = 13.183.
    Log Ratio = log2((6 / 1,000) / (0.5 / 2,000)) = log2(0.006 / 0.00025) = log2 24 = 4.585;
    %DIFF = (6,000 - 1e-18) / 1e-18 x 100 = 6e23 (finite: JSON has no Infinity).
    """
    row = key_row("z", 6, 0, 1_000, 2_000)
    assert row.ll == approx(12 * math.log(3))
    assert row.log_ratio == approx(math.log2(24))
    assert row.pct_diff == pytest.approx(6e23, rel=1e-12)


@given(corpus_counts())
def test_g2_equals_its_entropy_form_in_exact_decimals(counts: tuple[int, int, int, int]) -> None:
    """G²/2 = a ln a + b ln b - a ln N_a - b ln N_b - (a+b) ln(a+b) + (a+b) ln(N_a+N_b), 0 ln 0 = 0."""
    a, b, n_a, n_b = counts
    with localcontext() as ctx:
        ctx.prec = 60

        def xlny(x: int, y: int) -> Decimal:
            return Decimal(x) * Decimal(y).ln() if x else Decimal(0)

        half = (
            xlny(a, a)
            + xlny(b, b)
            - xlny(a, n_a)
            - xlny(b, n_b)
            - xlny(a + b, a + b)
            + xlny(a + b, n_a + n_b)
        )
        expected = float(2 * half)
    assert log_likelihood(a, b, n_a, n_b) == pytest.approx(max(expected, 0.0), rel=1e-9, abs=1e-6)


@given(corpus_counts())
def test_log_ratio_equals_log2_of_exact_relative_frequencies(counts: tuple[int, int, int, int]) -> None:
    a, b, n_a, n_b = counts
    ratio = (Fraction(a or Fraction(1, 2)) / n_a) / (Fraction(b or Fraction(1, 2)) / n_b)
    assert log_ratio(a, b, n_a, n_b) == approx(math.log2(ratio))


@given(corpus_counts())
def test_pct_diff_equals_exact_normalised_difference(counts: tuple[int, int, int, int]) -> None:
    a, b, n_a, n_b = counts
    nf_a, nf_b = Fraction(a * 10**6, n_a), Fraction(b * 10**6, n_b) or Fraction(1, 10**18)
    assert pct_diff(a, b, n_a, n_b) == pytest.approx(float((nf_a - nf_b) / nf_b * 100), rel=1e-12)


@given(corpus_counts())
def test_sign_says_where_the_token_is_relatively_more_frequent(counts: tuple[int, int, int, int]) -> None:
    a, b, n_a, n_b = counts
    share_a, share_b = Fraction(a, n_a), Fraction(b, n_b)
    assert key_row("t", a, b, n_a, n_b).sign == (share_a > share_b) - (share_a < share_b)


@given(corpus_counts())
def test_swapping_the_corpora_keeps_g2_and_negates_the_rest(counts: tuple[int, int, int, int]) -> None:
    a, b, n_a, n_b = counts
    forth, back = key_row("t", a, b, n_a, n_b), key_row("t", b, a, n_b, n_a)
    assert back.ll == pytest.approx(forth.ll, rel=1e-9, abs=1e-6)
    assert back.log_ratio == approx(-forth.log_ratio)
    assert back.sign == -forth.sign


def test_critical_values_are_those_of_chi_square_with_one_degree_of_freedom() -> None:
    # scipy.stats.chi2.isf(p, 1); the tables of the literature print 3.84, 6.63, 10.83, 15.13.
    expected = {0.05: 3.841458820694124, 0.01: 6.634896601021214, 0.001: 10.827566170662733}
    expected[0.0001] = 15.136705226623606
    assert {p: critical_value(p) for p in expected} == pytest.approx(expected, rel=1e-9)


@given(st.floats(1e-300, 0.999), st.integers(1, 10**9))
def test_critical_value_inverts_the_p_value(p: float, tests: int) -> None:
    assert p_value(critical_value(p, tests)) == pytest.approx(p / tests, rel=1e-9)


def test_bonferroni_divides_p_by_the_number_of_tests() -> None:
    assert critical_value(0.05, 10) == critical_value(0.005)


# --- compare: rows, order, filters --------------------------------------------

# A: 1,000 tokens, B: 2,000.  G²: w 13.18 (+), x 6.93 (+), y 6.49 (-), v 1.32 (-), e 0 (equal).
A = {"x": 10, "w": 6, "e": 2, "v": 1, "rest": 981}
B = {"x": 5, "y": 8, "e": 4, "v": 6, "rest": 1977}


def tokens(rows: list[KeyRow]) -> list[str]:
    return [row.token for row in rows if row.token != "rest"]


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 50), min_size=1),
    st.dictionaries(st.sampled_from("defghijk"), st.integers(0, 50), min_size=1),
)
def test_one_row_per_token_counted_in_either_table(a: dict[str, int], b: dict[str, int]) -> None:
    assume(sum(a.values()) and sum(b.values()))
    rows = compare(a, b)
    assert sorted(row.token for row in rows) == sorted(t for t in {*a, *b} if a.get(t, 0) + b.get(t, 0))
    assert all((row.count_a, row.count_b) == (a.get(row.token, 0), b.get(row.token, 0)) for row in rows)


def test_positive_keywords_first_then_negative_then_equal_each_by_g2() -> None:
    assert tokens(compare(A, B)) == ["w", "x", "y", "v", "e"]


# For the orders by effect size: h is frequent and mildly overused in A (high G², Log Ratio 1), t
# mildly underused (G² 13.1, Log Ratio -0.585), u once in B only (%DIFF -100, yet Log Ratio +0.0007).
A2 = {"h": 200, "w": 6, "x": 10, "t": 100, "rest": 684}
B2 = {"h": 200, "x": 5, "y": 8, "t": 300, "u": 1, "rest": 1487}


def test_sort_by_log_ratio_puts_the_strongest_first_in_each_group() -> None:
    assert tokens(compare(A2, B2)) == ["h", "w", "x", "t", "y", "u"]  # by G²
    assert tokens(compare(A2, B2, sort="log-ratio")) == ["w", "x", "h", "y", "t", "u"]


def test_sort_by_pct_diff_puts_the_strongest_first_in_each_group() -> None:
    # y and u both -100: the larger G² (y) first.
    assert tokens(compare(A2, B2, sort="pct-diff")) == ["w", "x", "h", "y", "u", "t"]


def test_ties_are_ordered_by_token() -> None:
    assert tokens(compare({"b": 1, "a": 1, "rest": 8}, {"rest": 10})) == ["a", "b"]


def test_only_positive_and_only_negative() -> None:
    assert tokens(compare(A, B, only="positive")) == ["w", "x"]
    assert tokens(compare(A, B, only="negative")) == ["y", "v"]


def test_min_count_is_the_count_in_a_and_b_together() -> None:
    # x 15, y 8, w 6, e 6, v 7.
    assert tokens(compare(A, B, min_count=7)) == ["x", "y", "v"]


def test_p_keeps_the_tokens_whose_g2_reaches_the_critical_value() -> None:
    assert tokens(compare(A, B, p=0.05)) == ["w", "x", "y"]  # 3.84
    assert tokens(compare(A, B, p=0.01)) == ["w", "x"]  # 6.63: y's 6.49 is out
    assert tokens(compare(A, B, p=0.001)) == ["w"]  # 10.83


def test_bonferroni_counts_the_tokens_compared_after_min_count() -> None:
    # 0.05 / 6 tokens -> 9.60: only w; 0.05 / 3 tokens (x, y, v; min_count 7) -> 5.73: x, y.
    assert tokens(compare(A, B, p=0.05, bonferroni=True)) == ["w"]
    assert tokens(compare(A, B, p=0.05, bonferroni=True, min_count=7)) == ["x", "y"]


def test_the_docs_column_is_ignored_and_repeated_tokens_summed() -> None:
    assert token_counts([("a", 3, 1), ("b", 2, 2), ("a", 1, 1)]) == {"a": 4, "b": 2}


def test_an_empty_corpus_is_an_input_error_naming_it() -> None:
    with pytest.raises(InputError, match="^new.tsv has no tokens"):
        compare({"a": 1}, {"a": 0}, names=("old.tsv", "new.tsv"))


@pytest.mark.parametrize(
    ("option", "keywords"),
    [
        ("sort", {"sort": "g2"}),
        ("only", {"only": "both"}),
        ("min_count", {"min_count": 0}),
        ("p", {"p": 1.0}),
        ("bonferroni", {"bonferroni": True}),
    ],
)
def test_bad_options_raise_an_option_error_naming_them(option: str, keywords: dict[str, object]) -> None:
    with pytest.raises(OptionError) as caught:
        compare(A, B, **keywords)  # type: ignore[arg-type]
    assert caught.value.option == option


def test_the_api_is_exported_from_the_package() -> None:
    assert wordfreq.compare is compare and wordfreq.critical_value is critical_value
    assert wordfreq.KeyRow is KeyRow


# --- wordfreq compare ---------------------------------------------------------


def write_table(path: Path, counts: dict[str, int]) -> str:
    path.write_text("".join(f"{token}\t{count}\n" for token, count in counts.items()), encoding="utf-8")
    return str(path)


@pytest.fixture
def tables(tmp_path: Path) -> tuple[str, str]:
    return write_table(tmp_path / "a.tsv", A), write_table(tmp_path / "b.tsv", B)


def listed(output: str) -> list[str]:
    return [line.split("\t")[0] for line in output.splitlines()[1:] if not line.startswith("rest\t")]


def test_cli_writes_a_header_then_the_rows_of_compare(runner: CliRunner, tables: tuple[str, str]) -> None:
    result = runner.invoke(cli, ["compare", *tables])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "token\tcount_a\tcount_b\tper_million_a\tper_million_b\tll\tp\tlog_ratio\tpct_diff"
    assert lines[1] == "w\t6\t0\t6000.00\t0.00\t13.18\t0.000282\t4.585\t6.0000e+23"
    assert listed(result.stdout) == tokens(compare(A, B))


def test_cli_sort_option(runner: CliRunner, tmp_path: Path) -> None:
    a, b = write_table(tmp_path / "a.tsv", A2), write_table(tmp_path / "b.tsv", B2)
    result = runner.invoke(cli, ["compare", a, b, "--sort", "log-ratio"])
    assert listed(result.stdout) == ["w", "x", "h", "y", "t", "u"]


@pytest.mark.parametrize(("flag", "expected"), [("--negative", ["y", "v"]), ("--positive-only", ["w", "x"])])
def test_cli_negative_and_positive_only(
    runner: CliRunner, tables: tuple[str, str], flag: str, expected: list[str]
) -> None:
    assert listed(runner.invoke(cli, ["compare", *tables, flag]).stdout) == expected


def test_cli_p_cut_off_and_bonferroni(runner: CliRunner, tables: tuple[str, str]) -> None:
    assert listed(runner.invoke(cli, ["compare", *tables, "--p", "0.01"]).stdout) == ["w", "x"]
    assert listed(runner.invoke(cli, ["compare", *tables, "--p", "0.05", "--bonferroni"]).stdout) == ["w"]


def test_cli_min_count(runner: CliRunner, tables: tuple[str, str]) -> None:
    assert listed(runner.invoke(cli, ["compare", *tables, "--min-count", "7"]).stdout) == ["x", "y", "v"]


def test_cli_jsonl_keys_and_full_precision(runner: CliRunner, tables: tuple[str, str]) -> None:
    result = runner.invoke(cli, ["compare", *tables, "--output-format", "jsonl", "--positive-only"])
    first = json.loads(result.stdout.splitlines()[0])
    assert list(first) == [
        "token",
        "count_a",
        "count_b",
        "per_million_a",
        "per_million_b",
        "ll",
        "p",
        "log_ratio",
        "pct_diff",
    ]
    assert first["token"] == "w" and first["ll"] == compare(A, B)[0].ll


def test_cli_csv_quotes_tokens_and_reads_three_column_csv(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text('"a,b",4,2\nc,4,1\n', encoding="utf-8")
    (tmp_path / "b.csv").write_text("c,8,3\n", encoding="utf-8")
    args = ["compare", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--input-format", "csv"]
    result = runner.invoke(cli, [*args, "--output-format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith('"a,b",4,0,500000.00,0.00,')


def test_cli_output_file(runner: CliRunner, tables: tuple[str, str], tmp_path: Path) -> None:
    out = tmp_path / "keys.tsv"
    result = runner.invoke(cli, ["compare", *tables, "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == runner.invoke(cli, ["compare", *tables]).stdout


@pytest.mark.parametrize(
    "options",
    [
        ["--p", "0.5"],
        ["--sort", "g2"],
        ["--min-count", "0"],
        ["--output-format", "gensim"],
        ["--negative", "--positive-only"],
        ["--bonferroni"],
    ],
)
def test_cli_bad_values_are_usage_errors(
    runner: CliRunner, tables: tuple[str, str], options: list[str]
) -> None:
    result = runner.invoke(cli, ["compare", *tables, *options])
    assert result.exit_code == 2 and result.stdout == ""


def test_cli_stdin_only_once(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["compare", "-", "-"], input="a\t1\n").exit_code == 2


def test_cli_reads_stdin(runner: CliRunner, tables: tuple[str, str]) -> None:
    result = runner.invoke(cli, ["compare", "-", tables[1]], input=Path(tables[0]).read_bytes())
    assert listed(result.stdout) == tokens(compare(A, B))


def test_cli_missing_file_exits_1(runner: CliRunner, tables: tuple[str, str], tmp_path: Path) -> None:
    result = runner.invoke(cli, ["compare", tables[0], str(tmp_path / "missing.tsv")])
    assert result.exit_code == 1 and "missing.tsv" in result.stderr and result.stdout == ""


def test_cli_empty_table_exits_1(runner: CliRunner, tables: tuple[str, str], tmp_path: Path) -> None:
    empty = write_table(tmp_path / "empty.tsv", {})
    result = runner.invoke(cli, ["compare", tables[0], empty])
    assert result.exit_code == 1 and "empty.tsv has no tokens" in result.stderr


def test_cli_tsv_refuses_a_token_with_a_tab(runner: CliRunner, tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_text('{"token": "a\\tb", "count": 2}\n', encoding="utf-8")
    result = runner.invoke(cli, ["compare", str(a), str(a), "--input-format", "jsonl"])
    assert result.exit_code == 1 and "contains a tab" in result.stderr


def test_top_refuses_compare_output_instead_of_misreading_it(
    runner: CliRunner, tables: tuple[str, str]
) -> None:
    report = runner.invoke(cli, ["compare", *tables]).stdout
    result = runner.invoke(cli, ["top", "-"], input=report.encode())
    assert result.exit_code == 1 and "line 1" in result.stderr
