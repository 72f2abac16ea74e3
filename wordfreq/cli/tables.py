"""The commands that read tables: ``top``, ``merge``, ``stats``, ``compare`` and ``report``."""

from __future__ import annotations

import json

import click

from wordfreq import (
    FORMATS,
    KEYNESS_SORTS,
    STANDARD_P,
    atomic_output,
    compare,
    display_name,
    format_stats,
    merge_tables,
    open_binary,
    read_rows,
    read_table,
    report_html,
    table_stats,
    token_counts,
    top_rows,
    write_keyness,
    write_rows,
)
from wordfreq.cli.shell import (
    binary_output,
    cli,
    documents_option,
    input_format_option,
    memory_option,
    output_format_option,
    shell_tool,
    stdin_once,
    temp_dir_option,
)
from wordfreq.options import RunOptions


@cli.command("top")
@click.argument("table", metavar="TABLE")
@click.option("-n", "rows", type=click.IntRange(min=0), default=100, show_default=True, help="How many rows.")
@click.option("-o", "--output", metavar="FILE", help="Write the rows here (default: stdout).")
@output_format_option
@input_format_option
@documents_option
@shell_tool
def top_command(
    table: str,
    rows: int,
    output: str | None,
    output_format: str,
    input_format: str | None,
    documents: int | None,
) -> None:
    """The most frequent rows of TABLE ('-' reads standard input), sorted or not."""
    binary_output(output, output_format)
    with open_binary(table) as stream:  # opened even for -n 0: a missing TABLE is an error
        selected = top_rows(read_rows(stream, display_name(table), input_format), rows)
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
    merged on disk.  All have two columns, or all three.
    """
    binary_output(output, output_format)
    budget = RunOptions(memory=memory, temp_dir=temp_dir)
    stdin_once(tables, "TABLE...")
    merged = merge_tables(
        (read_table(table, input_format) for table in tables),
        [*map(display_name, tables)],
        memory=budget.memory_budget(),
        temp_dir=budget.temp_dir,
    )
    with merged, atomic_output(output) as out:
        write_rows(merged.rows(), out, output_format, documents)


@cli.command("stats")
@click.argument("table", metavar="TABLE")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of aligned lines.")
@click.option("--pos", is_flag=True, help="A table of count --pos: also the share of each part of speech.")
@input_format_option
@shell_tool
def stats_command(table: str, as_json: bool, pos: bool, input_format: str | None) -> None:
    """Tokens, types, hapax legomena, coverage and a Zipf exponent of TABLE ('-': stdin).

    The table may be unsorted; it is read once, in memory that grows with its
    number of distinct counts only.  With a docs column, also the rows that
    occur in one document only.
    """
    result = table_stats(read_table(table, input_format), pos=pos)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        click.echo(format_stats(result), nl=False)


@cli.command("compare")
@click.argument("table_a", metavar="A")
@click.argument("table_b", metavar="B")
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
@shell_tool
def compare_command(
    table_a: str,
    table_b: str,
    output: str | None,
    output_format: str,
    input_format: str | None,
    sort: str,
    negative: bool,
    positive_only: bool,
    min_count: int,
    p: str | None,
    bonferroni: bool,
) -> None:
    """Keywords: compare the counts of table A with those of table B ('-' reads standard input).

    One row per token counted in either table (a third column is ignored),
    with its counts, frequencies per million, log-likelihood G², Log Ratio
    and %DIFF; positive keywords (relatively more frequent in A) first, then
    negative ones, strongest first.  Memory grows with the union of the
    vocabularies.
    """
    stdin_once((table_a, table_b), "A, B")
    binary_output(output, output_format)
    if negative and positive_only:
        raise click.BadParameter("choose one of them, or neither", param_hint="--negative / --positive-only")
    if bonferroni and p is None:
        raise click.BadParameter("needs a cut-off to correct: --p", param_hint="--bonferroni")
    counts_a = token_counts(read_table(table_a, input_format))
    counts_b = token_counts(read_table(table_b, input_format))
    rows = compare(
        counts_a,
        counts_b,
        sort=sort,
        only="negative" if negative else "positive" if positive_only else None,
        min_count=min_count,
        p=None if p is None else float(p),
        bonferroni=bonferroni,
        names=(display_name(table_a), display_name(table_b)),
    )
    with atomic_output(output) as out:
        write_keyness(rows, out, output_format)


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
@shell_tool
def report_command(
    table: str, table_b: str | None, top: int, keywords: int, output: str | None, input_format: str | None
) -> None:
    """One self-contained HTML page of TABLE, or of TABLE against TABLE_B ('-': stdin, once).

    The stats figures, the rank-frequency plot with its Zipf fit, the
    coverage curve, the most frequent rows and, with TABLE_B, the keywords
    of each table.  No network, no script: it opens by double-click.
    """
    stdin_once((table, table_b), "TABLE_B")
    page = report_html([table] if table_b is None else [table, table_b], top, keywords, input_format)
    with atomic_output(output) as out:
        out.write(page.encode("utf-8"))
