"""The commands that read tables: ``top``, ``merge``, ``stats``, ``compare`` and ``report``."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import click
from click.core import ParameterSource

import wordfreq
from wordfreq import (
    FORMATS,
    KEYNESS_SORTS,
    REST,
    STANDARD_P,
    ReportLines,
    atomic_output,
    compare,
    display_name,
    format_stats,
    key_rows,
    merge_tables,
    merged_long_rows,
    part_against,
    read_any_table,
    read_table_of_kind,
    table_rows,
    table_stats,
    token_counts,
    top_rows,
    write_keyness,
    write_long_rows,
    write_rows,
)
from wordfreq.cli.shell import (
    PART_FORMATS,
    F,
    binary_output,
    cli,
    documents_option,
    field_option,
    filtering_options,
    input_format_option,
    memory_option,
    output_format_option,
    pos_options,
    say,
    shell_tool,
    stdin_once,
    temp_dir_option,
    tokenizing_options,
)
from wordfreq.errors import OptionError
from wordfreq.options import CountOptions, RunOptions, with_keywords

part_option = click.option(
    "--part", metavar="NAME", help="Of a long table (count --per-part): work on this part's rows."
)


@cli.command("top")
@click.argument("table", metavar="TABLE")
@click.option("-n", "rows", type=click.IntRange(min=0), default=100, show_default=True, help="How many rows.")
@click.option("-o", "--output", metavar="FILE", help="Write the rows here (default: stdout).")
@output_format_option
@input_format_option
@documents_option
@part_option
@shell_tool
def top_command(
    table: str,
    rows: int,
    output: str | None,
    output_format: str,
    input_format: str | None,
    documents: int | None,
    part: str | None,
) -> None:
    """The most frequent rows of TABLE ('-' reads standard input), sorted or not; of one part of a long
    table with --part."""
    binary_output(output, output_format)
    selected = top_rows(table_rows(table, input_format, part), rows)  # opened even for -n 0
    with atomic_output(output) as out:
        write_rows(selected, out, output_format, documents)


@cli.command("merge")
@click.argument("tables", nargs=-1, required=True, metavar="TABLE...")
@click.option("-o", "--output", metavar="FILE", help="Write the merged table here (default: stdout).")
@output_format_option
@input_format_option
@documents_option
@memory_option
@temp_dir_option
@shell_tool
def merge_command(
    tables: tuple[str, ...],
    output: str | None,
    output_format: str,
    input_format: str | None,
    documents: int | None,
    memory: int | None,
    temp_dir: str | None,
) -> None:
    """Sum the counts (and document counts) of several tables into one ('-' reads standard input, once).

    The tables may be unsorted; the result is in table order.  Memory grows
    with the union of their vocabularies up to --memory; past it the sum is
    merged on disk.  All have two columns, or all three, or all are long
    tables (count --per-part, told by their header line), whose parts are
    kept apart.
    """
    binary_output(output, output_format)
    budget = RunOptions(memory=memory, temp_dir=temp_dir)
    stdin_once(tables, "TABLE...")
    long, first = read_any_table(tables[0], input_format)
    if long and output_format not in PART_FORMATS:
        raise OptionError("output_format", f"a long table is written as {', '.join(PART_FORMATS)}")
    rest = (read_table_of_kind(t, input_format, long, display_name(tables[0])) for t in tables[1:])
    merged = merge_tables(
        (key_rows(rows) if long else rows for rows in itertools.chain([first], rest)),
        [*map(display_name, tables)],
        memory=budget.memory_budget(),
        temp_dir=budget.temp_dir,
    )
    with merged, atomic_output(output) as out:
        if long:
            write_long_rows(merged_long_rows(merged), out, output_format)
        else:
            write_rows(merged.rows(), out, output_format, documents)


@cli.command("stats")
@click.argument("table", metavar="TABLE")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of aligned lines.")
@click.option("--pos", is_flag=True, help="A table of count --pos: also the share of each part of speech.")
@input_format_option
@part_option
@shell_tool
def stats_command(table: str, as_json: bool, pos: bool, input_format: str | None, part: str | None) -> None:
    """Tokens, types, hapax legomena, coverage and a Zipf exponent of TABLE ('-': stdin).

    The table may be unsorted; it is read once, in memory that grows with its
    number of distinct counts only.  With a docs column, also the rows that
    occur in one document only.
    """
    result = table_stats(table_rows(table, input_format, part), pos=pos)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        click.echo(format_stats(result), nl=False)


@cli.command("compare")
@click.argument("table_a", metavar="A")
@click.argument("table_b", metavar="[B]", required=False)
@click.option("-o", "--output", metavar="FILE", help="Write the comparison here (default: stdout).")
@click.option(
    "--output-format",
    type=click.Choice(FORMATS),
    default="tsv",
    show_default=True,
    help="tsv or csv: a header line naming the columns, then one line per token; "
    "jsonl: one JSON object per token; parquet: typed columns (to a file or a pipe).",
)
@input_format_option
@click.option(
    "--sort",
    type=click.Choice(KEYNESS_SORTS),
    default="ll",
    show_default=True,
    help="Order each group of keywords by G² (ll), Log Ratio or %DIFF, strongest first.",
)
@click.option("--negative", is_flag=True, help="List only negative keywords (relatively more frequent in B).")
@click.option(
    "--positive-only", is_flag=True, help="List only positive keywords (relatively more frequent in A)."
)
@click.option(
    "--min-count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Compare only tokens counted N times or more in A and B together.",
)
@click.option(
    "--p",
    "p",
    type=click.Choice([str(p) for p in STANDARD_P]),
    help="Keep only the tokens whose G² is significant at P: 0.05 (G² >= 3.84), 0.01 (6.63), "
    "0.001 (10.83) or 0.0001 (15.14).",
)
@click.option("--bonferroni", is_flag=True, help="With --p: divide P by the number of tokens compared.")
@click.option(
    "--part", metavar="NAME", help="With a long table A (count --per-part) and no B: A's part NAME ..."
)
@click.option(
    "--against",
    metavar="NAME|rest",
    help="... against the part NAME of the same table, or against every other part together (rest).",
)
@shell_tool
def compare_command(
    table_a: str,
    table_b: str | None,
    output: str | None,
    output_format: str,
    input_format: str | None,
    sort: str,
    negative: bool,
    positive_only: bool,
    min_count: int,
    p: str | None,
    bonferroni: bool,
    part: str | None,
    against: str | None,
) -> None:
    """Keywords: compare the counts of table A with those of table B ('-' reads standard input).

    One row per token counted in either table (a third column is ignored),
    with its counts, frequencies per million, log-likelihood G², Log Ratio
    and %DIFF; positive keywords (relatively more frequent in A) first, then
    negative ones, strongest first.  Memory grows with the union of the
    vocabularies.
    """
    if (table_b is None) == (part is None or against is None) or (table_b is not None and against):
        raise click.UsageError(
            "give two tables A B, or one long table A with --part NAME --against NAME|rest"
        )
    stdin_once((table_a, table_b), "A, B")
    binary_output(output, output_format)
    if negative and positive_only:
        raise click.BadParameter("choose one of them, or neither", param_hint="--negative / --positive-only")
    if bonferroni and p is None:
        raise click.BadParameter("needs a cut-off to correct: --p", param_hint="--bonferroni")
    names = (display_name(table_a), display_name(table_b or table_a))
    if table_b is None:
        assert part is not None and against is not None
        counts_a, counts_b = part_against(table_a, input_format, part, against)
        names = (part, "the other parts" if against == REST else against)
    else:
        counts_a = token_counts(table_rows(table_a, input_format, part))
        counts_b = token_counts(table_rows(table_b, input_format, part))
    rows = compare(
        counts_a,
        counts_b,
        sort=sort,
        only="negative" if negative else "positive" if positive_only else None,
        min_count=min_count,
        p=None if p is None else float(p),
        bonferroni=bonferroni,
        names=names,
    )
    with atomic_output(output) as out:
        write_keyness(rows, out, output_format)


def _lines_option(name: str, flag: str, minimum: int, help: str) -> Callable[[F], F]:
    """The option ``--kwic-*`` that sets ``name`` of `ReportLines`, a whole number of at least ``minimum``;
    its default is read off the spec."""
    return field_option(ReportLines, name, flag, type=click.IntRange(min=minimum), metavar="N", help=help)


@cli.command("report")
@click.argument("table", metavar="TABLE")
@click.argument("table_b", metavar="[TABLE_B]", required=False)
@click.option(
    "-n",
    "top",
    type=click.IntRange(min=1),
    metavar="N",
    default=30,
    show_default=True,
    help="How many of the most frequent rows to chart.",
)
@click.option(
    "-k",
    "--keywords",
    type=click.IntRange(min=1),
    metavar="N",
    default=20,
    show_default=True,
    help="With TABLE_B: how many keywords of each table to chart.",
)
@click.option("-o", "--output", metavar="FILE", help="Write the page here (default: stdout, also '-').")
@input_format_option
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="NAME",
    help="Name TABLE (given again: TABLE_B) on the page so (default: its file's base name).",
)
@click.option(
    "--track",
    metavar="ROW,...",
    help="Of a long table (count --per-part): draw these rows across the parts (default: the most frequent).",
)
@part_option
@click.option(
    "--corpus",
    "corpus",
    multiple=True,
    metavar="PATH",
    help="The corpus TABLE counts (repeatable; '-': stdin): show its top words in context, from it "
    "read with the options given after (those that made TABLE).",
)
@_lines_option(
    "words",
    "--kwic-words",
    1,
    "With --corpus: lines for this many words (TABLE_B: A's strongest keywords; else the most "
    "frequent rows), at most -k (or -n).",
)
@_lines_option("lines", "--kwic-lines", 1, "With --corpus: the first N lines of each word, in corpus order.")
@_lines_option(
    "width", "--kwic-width", 0, "With --corpus: characters of context each side (as kwic --width)."
)
@tokenizing_options
@pos_options
@filtering_options
@shell_tool
def report_command(
    table: str,
    table_b: str | None,
    top: int,
    keywords: int,
    output: str | None,
    input_format: str | None,
    labels: tuple[str, ...],
    track: str | None,
    part: str | None,
    corpus: tuple[str, ...],
    words: int,
    lines: int,
    width: int,
    **options: Any,
) -> None:
    """One self-contained HTML page of TABLE, or of TABLE against TABLE_B ('-': stdin, once).

    The stats figures, the rank-frequency plot with its Zipf fit, the
    coverage curve, the most frequent rows and, with TABLE_B, the keywords
    of each table; with --corpus, the first lines in context of its top
    words.  Of a long table (count --per-part): the per-million
    frequency of its most frequent rows (or of --track's) across the parts;
    of a dispersion table (count --dispersion): DP against frequency.  No
    network, no script: it opens by double-click.
    """
    stdin_once((table, table_b, *corpus), "TABLE_B, --corpus")
    tables = [table] if table_b is None else [table, table_b]
    if len(labels) > len(tables):
        raise click.BadParameter("one label per table at most", param_hint="--label")
    tracked = [row for row in track.split(",") if row] if track is not None else None
    context = None
    if corpus:
        count_options, run_options = with_keywords(CountOptions(), RunOptions(), options)
        context = ReportLines(corpus, words, lines, width, count_options, run_options)
    else:
        _without_corpus(["words", "lines", "width", *options])
    page = wordfreq.report_html(
        tables, top, keywords, input_format, labels, tracked, part, context, warn=_warn
    )
    with atomic_output(output) as out:
        out.write(page.encode("utf-8"))


def _without_corpus(names: list[str]) -> None:
    """A usage error if an option of the corpus is given without --corpus."""
    ctx = click.get_current_context()
    for param in ctx.command.params:
        if param.name in names and ctx.get_parameter_source(param.name) not in (
            ParameterSource.DEFAULT,
            None,
        ):
            raise click.BadParameter("is for the corpus: give --corpus too", ctx=ctx, param=param)


def _warn(message: str) -> None:
    say(f"warning: {message}")
