"""The commands that read a corpus: ``count``, ``discover``, ``kwic`` and ``collocates``, with their progress
bar and summary line."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

import wordfreq
from wordfreq import (
    CANDIDATE_FORMATS,
    COLLOCATE_FORMATS,
    COLLOCATE_SORTS,
    KWIC_FORMATS,
    KWIC_SORTS,
    SPEC_FIELDS,
    CollocatesSpec,
    CountResult,
    DiscoverSpec,
    KwicSpec,
    Nodes,
    Source,
    atomic_output,
    count,
    describe_engine,
    stop_lists,
    write_long_rows,
    write_rows,
)
from wordfreq.cli.shell import (
    PART_FORMATS,
    F,
    Orders,
    binary_output,
    cli,
    dict_option,
    field_option,
    filtering_options,
    memory_option,
    model_option,
    output_format_option,
    pos_options,
    reading_options,
    reporting_options,
    say,
    shell_tool,
    stdin_once,
    temp_dir_option,
    together,
    tokenizing_options,
    user_dict_option,
)
from wordfreq.errors import OptionError
from wordfreq.options import DOC_UNITS, CountOptions, RunOptions, with_keywords

R = TypeVar("R")


def _human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"  # pragma: no cover


def _damage(bad_bytes: int, bad_records: int) -> str:
    """The end of a summary line that says what was skipped, if anything."""
    line = ""
    if bad_bytes:
        line += f", {bad_bytes:,} undecodable bytes replaced or dropped"
    if bad_records:
        line += f", {bad_records:,} bad records skipped"
    return line


def _corpus_options(options: dict[str, Any], verbose: bool) -> tuple[CountOptions, RunOptions]:
    """The options of a command that reads a corpus (count, kwic, collocates), checked once; with
    ``-v``, the engine that will make its tokens, said first."""
    count_options, run_options = with_keywords(CountOptions(), RunOptions(), options)
    if verbose:
        say(f"engine: {describe_engine(count_options.tokenizer)}")
    return count_options, run_options


def _files(n: int) -> str:
    return "1 file" if n == 1 else f"{n:,} files"


def _rate(nbytes: int, seconds: float) -> float:
    return nbytes / 1e6 / seconds if seconds > 0 else 0.0


def discover_summary_line(result: wordfreq.DiscoverResult) -> str:
    """The one line printed on stderr after a discovery."""
    return (
        f"{_files(result.files)}, {_human_bytes(result.bytes)}, {result.chars:,} Han characters, "
        f"{result.found:,} candidates counted {result.min_count}+ times "
        f"({result.summary()['new']:,} new among the {len(result.candidates):,} written), "
        f"{result.seconds:.1f} s, {_rate(result.bytes, result.seconds):.2f} MB/s"
        + _damage(result.bad_bytes, result.bad_records)
    )


def summary_line(result: CountResult) -> str:
    """The one line printed on stderr after a count."""
    rate = _rate(result.bytes, result.seconds)
    files = _files(result.files)
    counted = "tokens" if result.ngram == (1, 1) else "n-grams"
    line = (
        f"{files}, {_human_bytes(result.bytes)}, {result.tokens:,} {counted}, "
        f"{result.types:,} distinct{' by part' if result.part_rows is not None else ''}, "
        f"{result.seconds:.1f} s, {rate:.2f} MB/s"
    )
    if result.documents is not None:
        line += f", {result.documents:,} documents"
    if result.spilled is not None:
        line += ", merged on disk"
    line += _damage(result.bad_bytes, result.bad_records)
    if result.engine:
        line += f"; {result.engine}"
    return line


class _ProgressBar:
    """A tqdm bar on stderr in bytes of input, shown only on a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None

    def start(self, sources: list[Source]) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        # No monitor thread: the workers are forked after the bar starts, and
        # forking a process that has threads can deadlock the children.
        tqdm.monitor_interval = 0
        # Compressed files are counted in decompressed bytes, whose total is unknown up front.
        sizes = [s.size if s.compression is None else None for s in sources]
        total = sum(s for s in sizes if s is not None) if None not in sizes else None
        self.bar = tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            unit_divisor=1000,  # decimal, as the summary line's MB
            desc="counting",
            file=sys.stderr,
            leave=False,
            dynamic_ncols=True,
        )

    def update(self, nbytes: int) -> None:
        if self.bar is not None:
            self.bar.update(nbytes)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _with_progress(quiet: bool, work: Callable[..., R], *args: Any) -> R:
    """``work(*args)`` for a corpus, with the progress bar (unless ``quiet``) and warnings on stderr."""
    bar = _ProgressBar(enabled=not quiet)
    try:
        return work(*args, progress=bar.update, on_sources=bar.start, warn=lambda m: say(f"warning: {m}"))
    finally:
        bar.close()


def _report(summary: dict[str, object], line: str, summary_json: str | None, quiet: bool) -> None:
    """The end of a run over a corpus: the summary as JSON to ``summary_json``, and ``line`` on stderr."""
    if summary_json is not None:
        with atomic_output(summary_json) as out:
            out.write(json.dumps(summary, ensure_ascii=False).encode() + b"\n")
    if not quiet:
        say(line)


@cli.command("count")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", metavar="FILE", help="Write the table here (default: stdout, also '-').")
@output_format_option
@tokenizing_options
@pos_options
@filtering_options
@model_option(
    "min_count",
    "--min-count",
    type=click.IntRange(min=1),
    metavar="N",
    help="Keep only rows counted N times or more.",
)
@model_option(
    "max_rows",
    "--max-rows",
    type=click.IntRange(min=0),
    metavar="N",
    help="Keep only the N most frequent rows.",
)
@model_option(
    "ngram",
    "--ngram",
    type=Orders(),
    metavar="N|N-M",
    show_default="1",
    help="Count n-grams of N tokens (joined by a space), or of every order from N to M, in one table.",
)
@model_option(
    "doc_freq",
    "--doc-freq",
    is_flag=True,
    help="Add a third column: the number of documents each row occurs in.",
)
@model_option(
    "doc_unit",
    "--doc-unit",
    type=click.Choice(DOC_UNITS),
    help="With --doc-freq: what a document is (default: a file; a record with --field).",
)
@model_option(
    "part_by",
    "--part-by",
    metavar="file|field:PATH|path:REGEX",
    help="Count per part of the corpus: each file, the value at a JSON Lines field, or the first group "
    "of a regular expression over each file's path; with --per-part or --dispersion.",
)
@model_option(
    "per_part",
    "--per-part",
    is_flag=True,
    help="With --part-by: the long table, 'part<TAB>token<TAB>count' after a header line, parts in order; "
    "--min-count and --max-rows apply within each part.",
)
@model_option(
    "dispersion",
    "--dispersion",
    is_flag=True,
    help="With --part-by: the table with per_million, parts, dp, dp_norm and juilland_d columns, after a "
    "header line.",
)
@memory_option
@temp_dir_option
@reporting_options
@shell_tool
def count_command(
    paths: tuple[str, ...],
    output: str | None,
    output_format: str,
    quiet: bool,
    verbose: bool,
    summary_json: str | None,
    **options: Any,
) -> None:
    """Count the tokens of every file under PATH... ('-' reads standard input).

    Directories are walked recursively, in sorted order, skipping hidden files.
    A PATH may be a URL (s3://bucket/prefix/, https://host/file.txt; needs the
    'remote' extra): a prefix is walked like a directory.
    The table is 'token<TAB>count' per line, most frequent first.
    """
    started = time.perf_counter()
    binary_output(output, output_format)
    count_options, run_options = _corpus_options(options, verbose)
    if count_options.rows.part_by is not None and output_format not in PART_FORMATS:
        raise OptionError("output_format", f"a table of parts is written as {', '.join(PART_FORMATS)}")
    result = _with_progress(quiet, count, paths, count_options, run_options)
    with result, atomic_output(output) as out:
        if count_options.rows.per_part:
            write_long_rows(result.long_table(), out, output_format)
        elif count_options.rows.dispersion:
            wordfreq.write_dispersion(wordfreq.dispersion_table(result), out, output_format)
        else:
            write_rows(
                result.rows(),
                out,
                output_format,
                documents=result.documents,
                tagged=count_options.tokenizer.pos,
            )
    result.seconds = time.perf_counter() - started  # the command's time: counting, sorting and writing
    _report(result.summary(), summary_line(result), summary_json, quiet)


def _spec_option(name: str, *flags: str, **attrs: Any) -> Callable[[F], F]:
    """The click option that sets ``name`` of `DiscoverSpec`; its default is read off the spec."""
    return field_option(DiscoverSpec, name, *flags, **attrs)


@cli.command("discover")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", metavar="FILE", help="Write the candidates here (default: stdout, also '-').")
@click.option(
    "--output-format",
    type=click.Choice(CANDIDATE_FORMATS),
    default="tsv",
    show_default=True,
    help="tsv or csv: a header line, then word, count, whole, cohesion, left and right entropy, junction, "
    "score, known (1/0); jsonl: one JSON object per candidate; jieba: 'word whole' per line, a user "
    "dictionary for count --user-dict; parquet: typed columns (to a file or a pipe).",
)
@user_dict_option
@dict_option
@reading_options
@_spec_option(
    "max_length",
    "--max-length",
    type=click.IntRange(min=2),
    metavar="N",
    help="The longest candidate, in characters.",
)
@_spec_option(
    "min_count",
    "--min-count",
    type=click.IntRange(min=1),
    metavar="N",
    help="Keep only candidates counted N times or more (default: 3, or one per 5 million Han "
    "characters when that is more).",
)
@_spec_option(
    "min_pmi",
    "--min-pmi",
    type=float,
    metavar="X",
    help="The cohesion (smallest PMI over the splits, natural log) a two-character candidate needs.",
)
@_spec_option(
    "pmi_step", "--pmi-step", type=float, metavar="X", help="What each character past two adds to --min-pmi."
)
@_spec_option(
    "min_entropy",
    "--min-entropy",
    type=float,
    metavar="X",
    help="The entropy (natural log) of the characters left and right of a candidate, each side at least.",
)
@_spec_option(
    "resegment",
    "--resegment/--no-resegment",
    help="Keep only the candidates that stand as words once the corpus is cut into the dictionary's "
    "words and jieba's HMM keeps them whole; rank by their count as whole words (see docs/discovery.md).",
)
@_spec_option("new_only", "--new-only", is_flag=True, help="Keep only the candidates the dictionary lacks.")
@_spec_option(
    "max_rows",
    "--max-rows",
    type=click.IntRange(min=0),
    metavar="N",
    help="Keep only the first N candidates.",
)
@memory_option
@temp_dir_option
@reporting_options
@shell_tool
def discover_command(
    paths: tuple[str, ...],
    output: str | None,
    output_format: str,
    quiet: bool,
    verbose: bool,
    summary_json: str | None,
    **options: Any,
) -> None:
    """Find the words of the corpus under PATH... that behave like words ('-' reads standard input).

    Candidates are strings of Han characters, counted exactly over the whole
    corpus with the characters on either side of each occurrence and the
    dictionary's words around them; they are ranked by a score of their count
    as whole words, cohesion and boundary entropy, best first, and marked
    known when jieba's dictionary (or --dict, --user-dict) lists them.  See
    docs/discovery.md.
    """
    binary_output(output, output_format)
    spec = DiscoverSpec(**{name: options.pop(name) for name in list(options) if name in SPEC_FIELDS})
    count_options, run_options = with_keywords(CountOptions(), RunOptions(), options)
    if verbose:
        say(f"dictionary: {wordfreq.describe_dictionaries(count_options.tokenizer)}")
    result = _with_progress(quiet, wordfreq.discover_words, paths, count_options, run_options, spec)
    with atomic_output(output) as out:
        wordfreq.write_candidates(result.candidates, out, output_format)
    _report(result.summary(), discover_summary_line(result), summary_json, quiet)


def _words_and_paths(
    args: tuple[str, ...], words: tuple[str, ...], words_file: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words (the first argument, unless -e or a file gives them) and the paths of a command that
    looks for words."""
    if words_file is not None:
        words = words + tuple(wordfreq.words_from_file(words_file))
    if not words:
        words, args = args[:1], args[1:]
    if not args:
        raise click.UsageError("no PATH given (the first argument is the WORD unless -e gives it)")
    stdin_once(args, "PATH")
    return words, args


_words_given = together(
    click.argument("args", nargs=-1, required=True, metavar="WORD PATH..."),
    click.option(
        "-e",
        "--word",
        "words",
        multiple=True,
        metavar="WORD",
        help="A word to look for (repeatable); then every argument is a PATH.",
    ),
    click.option("--nodes-from", metavar="FILE", help="Also the words in FILE, one a line (UTF-8)."),
)


@cli.command("kwic")
@_words_given
@click.option("--regex", is_flag=True, help="Each WORD is a regular expression a whole token must match.")
@click.option("-o", "--output", metavar="FILE", help="Write the rows here (default: stdout, also '-').")
@click.option(
    "--output-format",
    type=click.Choice(KWIC_FORMATS),
    help="tsv: a header, then source, line, left, node, right; jsonl: one object per row with those keys; "
    "parquet: typed columns (to a file or a pipe); "
    "text: aligned on the node, --width columns each side (default: text on a terminal, else tsv).",
)
@field_option(
    KwicSpec,
    "width",
    "--width",
    type=click.IntRange(min=0),
    metavar="N",
    help="Characters of context each side (never past the line).",
)
@field_option(
    KwicSpec,
    "sort",
    "--sort",
    type=click.Choice(KWIC_SORTS),
    help="Order: corpus order, or by the tokens left of the node (nearest first) or right of it.",
)
@field_option(
    KwicSpec,
    "max_rows",
    "--max",
    type=click.IntRange(min=0),
    metavar="N",
    help="At most N rows (the first N in the order asked).",
)
@field_option(
    KwicSpec,
    "sample",
    "--sample",
    type=click.IntRange(min=1),
    metavar="N",
    help="A uniform random sample of N occurrences (the same for any -j).",
)
@field_option(KwicSpec, "seed", "--seed", type=int, metavar="S", help="The seed of --sample.")
@tokenizing_options
@pos_options
@filtering_options
@memory_option
@temp_dir_option
@reporting_options
@shell_tool
def kwic_command(
    args: tuple[str, ...],
    words: tuple[str, ...],
    nodes_from: str | None,
    regex: bool,
    output: str | None,
    output_format: str | None,
    width: int,
    sort: str,
    max_rows: int | None,
    sample: int | None,
    seed: int,
    quiet: bool,
    verbose: bool,
    summary_json: str | None,
    **options: Any,
) -> None:
    """Every occurrence of WORD in PATH..., in its line: a concordance (KWIC).

    WORD is a token as `wordfreq count` shows it with the same options: a
    word has as many rows as its count in that table.  Rows are in corpus
    order, for any -j.
    """
    binary_output(output, output_format or "tsv")
    found, paths = _words_and_paths(args, words, nodes_from)
    spec = KwicSpec(Nodes(found, regex), width, sort, max_rows, sample, seed)
    count_options, run_options = _corpus_options(options, verbose)
    to_terminal = output in (None, "-") and sys.stdout.isatty()
    fmt = output_format or ("text" if to_terminal else "tsv")
    bar = _ProgressBar(enabled=not quiet)
    # Every row in corpus order as TSV: made in the workers (in C where it can), not row by row here.
    whole_tsv = fmt == "tsv" and sort == "source" and max_rows is None and sample is None
    try:
        result = wordfreq.concordance(
            paths,
            spec,
            count_options,
            run_options,
            progress=bar.update,
            on_sources=bar.start,
            warn=lambda m: say(f"warning: {m}"),
            tsv=whole_tsv,
        )
        if whole_tsv:
            with contextlib.closing(result.tsv_blocks()) as blocks, atomic_output(output) as out:
                wordfreq.write_kwic_tsv(blocks, out)
        else:
            with contextlib.closing(result.rows()) as rows, atomic_output(output) as out:
                wordfreq.write_kwic(rows, out, fmt, width, highlight=fmt == "text" and to_terminal)
    finally:
        bar.close()
    line = (
        f"{_files(result.files)}, {_human_bytes(result.bytes)}, {result.rows_out:,} rows, "
        f"{result.seconds:.1f} s" + _damage(result.bad_bytes, result.bad_records)
    )
    _report(result.summary(), line, summary_json, quiet)


@cli.command("collocates")
@_words_given
@click.option("-o", "--output", metavar="FILE", help="Write the table here (default: stdout, also '-').")
@click.option(
    "--output-format",
    type=click.Choice(COLLOCATE_FORMATS),
    default="tsv",
    show_default=True,
    help="tsv or csv: a header line, then collocate, o, e, f_node, f_collocate, mi, mi3, t, ll, "
    "log_dice (after a node column for several words); jsonl: one object per row with those keys; "
    "parquet: typed columns (to a file or a pipe).",
)
@click.option(
    "--window", type=click.IntRange(min=0), metavar="N", help="N tokens each side (both --left and --right)."
)
@field_option(
    CollocatesSpec, "left", "--left", type=click.IntRange(min=0), metavar="N", help="Tokens before the node."
)
@field_option(
    CollocatesSpec, "right", "--right", type=click.IntRange(min=0), metavar="N", help="Tokens after the node."
)
@field_option(
    CollocatesSpec,
    "min_count",
    "--min-count",
    type=click.IntRange(min=1),
    metavar="N",
    help="Keep collocates seen N times or more in the windows (o).",
)
@field_option(
    CollocatesSpec,
    "min_freq",
    "--min-freq",
    type=click.IntRange(min=1),
    metavar="N",
    help="Keep collocates counted N times or more in the table.",
)
@field_option(
    CollocatesSpec,
    "sort",
    "--sort",
    type=click.Choice(COLLOCATE_SORTS),
    help="Order by this column, highest first.",
)
@field_option(
    CollocatesSpec,
    "max_rows",
    "--max-rows",
    type=click.IntRange(min=0),
    metavar="N",
    help="At most N rows per node.",
)
@tokenizing_options
@pos_options
@filtering_options
@memory_option
@temp_dir_option
@reporting_options
@shell_tool
def collocates_command(
    args: tuple[str, ...],
    words: tuple[str, ...],
    nodes_from: str | None,
    output: str | None,
    output_format: str,
    window: int | None,
    left: int,
    right: int,
    min_count: int,
    min_freq: int,
    sort: str,
    max_rows: int | None,
    quiet: bool,
    verbose: bool,
    summary_json: str | None,
    **options: Any,
) -> None:
    """The words found within a window of WORD in PATH..., scored: its collocates.

    Windows are of the table's tokens (after the filters) and never cross a
    line.  o: the co-occurrences; e: those expected, R * f_collocate / N;
    mi, mi3, t, ll (log-likelihood) and log_dice as docs/collocates.md
    defines them.
    """
    binary_output(output, output_format)
    found, paths = _words_and_paths(args, words, nodes_from)
    ctx = click.get_current_context()
    if window is not None:
        if ctx.get_parameter_source("left") is click.core.ParameterSource.DEFAULT:
            left = window
        if ctx.get_parameter_source("right") is click.core.ParameterSource.DEFAULT:
            right = window
    spec = CollocatesSpec(Nodes(found), left, right, min_count, min_freq, sort, max_rows)
    count_options, run_options = _corpus_options(options, verbose)
    result = _with_progress(quiet, wordfreq.find_collocates, paths, spec, count_options, run_options)
    with atomic_output(output) as out:
        result.write(out, output_format, with_node=len(spec.nodes.words) > 1)
    words_found = len(spec.nodes.words)
    line = (
        f"{_files(result.files)}, {_human_bytes(result.bytes)}, {result.tokens:,} tokens, "
        f"{result.row_count:,} collocates of {words_found:,} {'word' if words_found == 1 else 'words'}, "
        f"{result.seconds:.1f} s" + _damage(result.bad_bytes, result.bad_records)
    )
    _report(result.summary(), line, summary_json, quiet)


@cli.command("stop-lists")
@shell_tool
def stop_lists_command() -> None:
    """The named stopword lists of --stop-list: 'name<TAB>words<TAB>source' per line."""
    for name, size, source in stop_lists():
        click.echo(f"{name}\t{size}\t{source}")
