"""The command line: a thin layer of click commands over `wordfreq.api`.

Conventions: only tables go to stdout; progress (a tqdm bar, when stderr is
a terminal) and one summary line go to stderr.  Exit status 0 on success,
1 on an error the user can act on (one line on stderr, no traceback),
2 on a usage error, 130 on Ctrl-C, 143 on SIGTERM.  A reader that goes away
(``| head``) ends the run quietly.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from wordfreq import api, keyness
from wordfreq.chunking import CHUNK_SIZE, ERROR_MODES, NETWORK_CHUNK_SIZE
from wordfreq.concurrency import Terminated, handle_sigterm
from wordfreq.discovery import (
    OUTPUT_FORMATS,
    SPEC_FIELDS,
    DiscoverResult,
    DiscoverSpec,
    describe_dictionaries,
    discover_words,
    write_candidates,
)
from wordfreq.errors import OptionError, WordfreqError
from wordfreq.options import ENGINES, START_METHODS, CountOptions, RunOptions, option_default, with_keywords
from wordfreq.rows import DOC_UNITS
from wordfreq.sources import STDIN, Source, display_name, open_binary
from wordfreq.stats import format_text, table_stats
from wordfreq.table import (
    FORMATS,
    WRITE_FORMATS,
    atomic_output,
    merge_tables,
    read_rows,
    read_table,
    top_rows,
    write_rows,
)
from wordfreq.tokenizers import MODES, TOKENIZERS, describe_engine

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")
DISTRIBUTION = "corpus-wordfreq"  # the name on the package index; the command and the import stay wordfreq
_SIZE_SUFFIXES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _say(message: str) -> None:
    click.echo(f"wordfreq: {message}", err=True)


def _flags_hint(options: tuple[str, ...]) -> str:
    """`` (see --encoding, --errors)``: the flags of the options that get past an error, if any."""
    if not options:
        return ""
    return f" (see {', '.join('--' + option.replace('_', '-') for option in options)})"


def _stdin_once(paths: Sequence[str | None], hint: str) -> None:
    """A usage error if ``-`` (standard input) is among ``paths`` more than once."""
    if list(paths).count(STDIN) > 1:
        raise click.BadParameter("'-' (standard input) may be given only once", param_hint=hint)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _as_shell_tool(command: F) -> F:
    """Map errors and signals to one line on stderr and the documented exit codes."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return command(*args, **kwargs)
        except OptionError as err:
            param = next((p for p in ctx.command.params if p.name == err.option), None)
            raise click.BadParameter(str(err), ctx=ctx, param=param) from None
        except WordfreqError as err:
            _say(f"error: {err}{_flags_hint(err.options)}")
            ctx.exit(1)
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(0)
        except KeyboardInterrupt:
            _say("interrupted")
            ctx.exit(130)
        except Terminated:
            _say("terminated")
            ctx.exit(143)

    return wrapper  # type: ignore[return-value]


class Orders(click.ParamType):
    """An n-gram order or range: 2, 1-3 (checked by the options model)."""

    name = "N|N-M"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value


class ByteSize(click.ParamType):
    """A size in bytes: 65536, 64K, 1M, 1G."""

    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        number, suffix = (text[:-1], text[-1]) if text[-1:] in "KMG" else (text, "")
        try:
            size = int(number) * _SIZE_SUFFIXES[suffix]
        except (ValueError, KeyError):
            self.fail(f"{value!r} is not a size (e.g. 65536, 64K, 1M)", param, ctx)
        if size < 1:
            self.fail("must be at least 1 byte", param, ctx)
        return size

    @staticmethod
    def format(size: int) -> str:
        """``size`` as this type reads it, in the largest unit that divides it: 1048576 -> 1M."""
        for suffix in ("G", "M", "K"):
            if size % _SIZE_SUFFIXES[suffix] == 0:
                return f"{size // _SIZE_SUFFIXES[suffix]}{suffix}"
        return str(size)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name=DISTRIBUTION, prog_name="wordfreq")
def cli() -> None:
    """Word-frequency tables of large text corpora, Chinese first."""


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


def _files(n: int) -> str:
    return "1 file" if n == 1 else f"{n:,} files"


def _rate(nbytes: int, seconds: float) -> float:
    return nbytes / 1e6 / seconds if seconds > 0 else 0.0


def discover_summary_line(result: DiscoverResult) -> str:
    """The one line printed on stderr after a discovery."""
    return (
        f"{_files(result.files)}, {_human_bytes(result.bytes)}, {result.chars:,} Han characters, "
        f"{result.found:,} candidates counted {result.min_count}+ times "
        f"({result.summary()['new']:,} new among the {len(result.candidates):,} written), "
        f"{result.seconds:.1f} s, {_rate(result.bytes, result.seconds):.2f} MB/s"
        + _damage(result.bad_bytes, result.bad_records)
    )


def summary_line(result: api.CountResult) -> str:
    """The one line printed on stderr after a count."""
    rate = _rate(result.bytes, result.seconds)
    files = _files(result.files)
    counted = "tokens" if result.ngram == (1, 1) else "n-grams"
    line = (
        f"{files}, {_human_bytes(result.bytes)}, {result.tokens:,} {counted}, "
        f"{result.types:,} distinct, {result.seconds:.1f} s, {rate:.2f} MB/s"
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
        return work(*args, progress=bar.update, on_sources=bar.start, warn=lambda m: _say(f"warning: {m}"))
    finally:
        bar.close()


def _report(summary: dict[str, object], line: str, summary_json: str | None, quiet: bool) -> None:
    """The end of a run over a corpus: the summary as JSON to ``summary_json``, and ``line`` on stderr."""
    if summary_json is not None:
        with atomic_output(summary_json) as out:
            out.write(json.dumps(summary, ensure_ascii=False).encode() + b"\n")
    if not quiet:
        _say(line)


_output_format = click.option(
    "--output-format",
    type=click.Choice(WRITE_FORMATS),
    default="tsv",
    show_default=True,
    help="tsv: 'token<TAB>count' rows (and <TAB>docs with document frequencies); csv: the same "
    "as CSV; jsonl: one JSON object per line.  Write-only vocabularies for other tools: "
    "sentencepiece, 'token<TAB>count' for spm_train --input_format=tsv; jieba, 'token count' "
    "for jieba.load_userdict and subword-nmt learn-bpe --dict-input; gensim, "
    "Dictionary.save_as_text's format for Dictionary.load_from_text (needs document frequencies).",
)
_input_format = click.option(
    "--input-format",
    type=click.Choice(FORMATS),
    default="tsv",
    show_default=True,
    help="The format of the tables read, two or three columns (never guessed).",
)
_documents = click.option(
    "--documents",
    type=click.IntRange(min=0),
    metavar="N",
    help="With --output-format gensim: the number of documents counted, its first line "
    "(a table does not record it).",
)


def _option(option: str, *flags: str, **attrs: Any) -> Callable[[F], F]:
    """The click option that sets ``option`` of the options model; its default is read off the model."""
    default = option_default(option)
    if isinstance(default, frozenset):  # a set of words, which the command line names by a file
        default = None
    attrs.setdefault("show_default", not (default is None or default is False or default == ()))
    return click.option(*flags, option, default=default, **attrs)


_memory = _option(
    "memory",
    "--memory",
    type=ByteSize(),
    metavar="SIZE",
    help="Memory the counts may take before they are spilled to disk and merged there "
    "(default: half of this machine's memory).",
)
_temp_dir = _option(
    "temp_dir",
    "--temp-dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Where spilled counts go (default: the platform's temporary directory).",
)


def _together(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator that applies ``decorators`` in the order written (the first is the outermost)."""

    def apply(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


_user_dict = _option(
    "user_dict",
    "--user-dict",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="A jieba user dictionary: 'word [freq] [tag]' per line, UTF-8.",
)
_dict = _option(
    "dict",
    "--dict",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="jieba's main dictionary to use instead of its own, as jieba.set_dictionary takes it "
    "('word freq [tag]' per line, UTF-8; e.g. dict.txt.big).",
)
# Where the text comes from and how the run goes: the same for every command that reads a corpus.
_reading = _together(
    _option(
        "encoding",
        "--encoding",
        metavar="NAME",
        help="The input's encoding, any Python codec (UTF-8: a leading BOM is skipped).",
    ),
    _option(
        "errors",
        "--errors",
        type=click.Choice(ERROR_MODES),
        help="What to do with undecodable bytes: stop, replace them with U+FFFD, or drop them.",
    ),
    _option(
        "chunk_size",
        "--chunk-size",
        type=ByteSize(),
        show_default=f"{ByteSize.format(CHUNK_SIZE)}; {ByteSize.format(NETWORK_CHUNK_SIZE)} for URLs",
        help="Bytes of input per task.",
    ),
    _option(
        "workers",
        "-j",
        "--workers",
        type=click.IntRange(min=1),
        help="Worker processes (default: the CPUs this process may use).",
    ),
    _option(
        "start_method",
        "--start-method",
        type=click.Choice(START_METHODS),
        help="How worker processes start (default: the platform's).",
    ),
    _option(
        "engine",
        "--engine",
        type=click.Choice(ENGINES),
        help="Count with local worker processes, or on a Dask cluster (needs the 'dask' extra).",
    ),
    _option(
        "scheduler",
        "--scheduler",
        metavar="ADDRESS",
        help="With --engine dask: the scheduler's address, e.g. tcp://host:8786 "
        "(default: a new local cluster).",
    ),
    _option(
        "include",
        "--include",
        multiple=True,
        metavar="GLOB",
        help="In directories (and URL prefixes), count only files whose name or relative path matches "
        "(repeatable).",
    ),
    _option(
        "exclude",
        "--exclude",
        multiple=True,
        metavar="GLOB",
        help="In directories (and URL prefixes), skip files whose name or relative path matches "
        "(repeatable).",
    ),
    _option(
        "storage_option",
        "--storage-option",
        multiple=True,
        metavar="KEY=VALUE",
        help="An fsspec storage option for the URLs among PATH... (repeatable), e.g. anon=true, "
        "endpoint_url=http://host:9000; VALUE is read as JSON when it is JSON.",
    ),
    _option(
        "field",
        "--field",
        metavar="PATH",
        help="Read JSON Lines and count the text at this field of each record (dotted: meta.title).",
    ),
    _option(
        "skip_bad_records",
        "--skip-bad-records",
        is_flag=True,
        help="With --field: skip lines that aren't JSON or lack the field, and report how many.",
    ),
)
_reporting = _together(
    click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line."),
    click.option(
        "-v", "--verbose", is_flag=True, help="Also say, before counting, what does the work and why."
    ),
    click.option(
        "--summary-json",
        metavar="FILE",
        help="Also write the summary (files, bytes, tokens, rows, documents...) as one JSON object to FILE.",
    ),
)


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", metavar="FILE", help="Write the table here (default: stdout, also '-').")
@_output_format
@_option("tokenizer", "--tokenizer", type=click.Choice(TOKENIZERS), help="How text becomes tokens.")
@_option(
    "mode",
    "--mode",
    type=click.Choice(MODES),
    help="jieba's mode: accurate (cut), all (cut_all) or search (cut_for_search).",
)
@_option("hmm", "--hmm/--no-hmm", help="Let jieba's HMM find words missing from the dictionary.")
@_user_dict
@_dict
@_reading
@_option("lowercase", "--lowercase", is_flag=True, help="Fold tokens to lower case (after segmentation).")
@_option(
    "stopwords",
    "--stopwords",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Drop the tokens listed in FILE (one a line, UTF-8).",
)
@_option("no_punct", "--no-punct", is_flag=True, help="Drop tokens made only of punctuation and symbols.")
@_option("no_numbers", "--no-numbers", is_flag=True, help="Drop tokens made only of digits (and . , %).")
@_option(
    "min_length",
    "--min-length",
    type=click.IntRange(min=0),
    metavar="N",
    help="Drop tokens shorter than N characters.",
)
@_option(
    "min_count",
    "--min-count",
    type=click.IntRange(min=1),
    metavar="N",
    help="Keep only rows counted N times or more.",
)
@_option(
    "max_rows",
    "--max-rows",
    type=click.IntRange(min=0),
    metavar="N",
    help="Keep only the N most frequent rows.",
)
@_option(
    "ngram",
    "--ngram",
    type=Orders(),
    metavar="N|N-M",
    show_default="1",
    help="Count n-grams of N tokens (joined by a space), or of every order from N to M, in one table.",
)
@_option(
    "doc_freq",
    "--doc-freq",
    is_flag=True,
    help="Add a third column: the number of documents each row occurs in.",
)
@_option(
    "doc_unit",
    "--doc-unit",
    type=click.Choice(DOC_UNITS),
    help="With --doc-freq: what a document is (default: a file; a record with --field).",
)
@_memory
@_temp_dir
@_reporting
@_as_shell_tool
def count(
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
    what, how = with_keywords(CountOptions(), RunOptions(), options)
    if verbose:
        _say(f"engine: {describe_engine(what.tokenizer)}")
    result = _with_progress(quiet, api.count, paths, what, how)
    with result, atomic_output(output) as out:
        write_rows(result.rows(), out, output_format, documents=result.documents)
    result.seconds = time.perf_counter() - started  # the command's time: counting, sorting and writing
    _report(result.summary(), summary_line(result), summary_json, quiet)


def _spec_option(name: str, *flags: str, **attrs: Any) -> Callable[[F], F]:
    """The click option that sets ``name`` of `DiscoverSpec`; its default is read off the spec."""
    default = next(f.default for f in dataclasses.fields(DiscoverSpec) if f.name == name)
    attrs.setdefault("show_default", not (default is None or default is False))
    return click.option(*flags, name, default=default, **attrs)


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", metavar="FILE", help="Write the candidates here (default: stdout, also '-').")
@click.option(
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    default="tsv",
    show_default=True,
    help="tsv or csv: a header line, then word, count, whole, cohesion, left and right entropy, junction, "
    "score, known (1/0); jsonl: one JSON object per candidate; jieba: 'word whole' per line, a user "
    "dictionary for count --user-dict.",
)
@_user_dict
@_dict
@_reading
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
@_memory
@_temp_dir
@_reporting
@_as_shell_tool
def discover(
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
    spec = DiscoverSpec(**{name: options.pop(name) for name in list(options) if name in SPEC_FIELDS})
    what, how = with_keywords(CountOptions(), RunOptions(), options)
    if verbose:
        _say(f"dictionary: {describe_dictionaries(what.tokenizer)}")
    result = _with_progress(quiet, discover_words, paths, what, how, spec)
    with atomic_output(output) as out:
        write_candidates(result.candidates, out, output_format)
    _report(result.summary(), discover_summary_line(result), summary_json, quiet)


@cli.command()
@click.argument("table", metavar="TABLE")
@click.option("-n", "rows", type=click.IntRange(min=0), default=100, show_default=True, help="How many rows.")
@click.option("-o", "--output", metavar="FILE", help="Write the rows here (default: stdout).")
@_output_format
@_input_format
@_documents
@_as_shell_tool
def top(
    table: str, rows: int, output: str | None, output_format: str, input_format: str, documents: int | None
) -> None:
    """The most frequent rows of TABLE ('-' reads standard input), sorted or not."""
    with open_binary(table) as stream:  # opened even for -n 0: a missing TABLE is an error
        selected = top_rows(read_rows(stream, display_name(table), input_format), rows)
    with atomic_output(output) as out:
        write_rows(selected, out, output_format, documents)


@cli.command()
@click.argument("tables", nargs=-1, required=True, metavar="TABLE...")
@click.option("-o", "--output", metavar="FILE", help="Write the merged table here (default: stdout).")
@_output_format
@_input_format
@_documents
@_memory
@_temp_dir
@_as_shell_tool
def merge(
    tables: tuple[str, ...],
    output: str | None,
    output_format: str,
    input_format: str,
    documents: int | None,
    memory: int | None,
    temp_dir: str | None,
) -> None:
    """Sum the counts (and document counts) of several tables into one ('-' reads standard input, once).

    The tables may be unsorted; the result is in table order.  Memory grows
    with the union of their vocabularies up to --memory; past it the sum is
    merged on disk.  All have two columns, or all three.
    """
    budget = RunOptions(memory=memory, temp_dir=temp_dir)
    _stdin_once(tables, "TABLE...")
    merged = merge_tables(
        (read_table(table, input_format) for table in tables),
        [*map(display_name, tables)],
        memory=budget.memory_budget(),
        temp_dir=budget.temp_dir,
    )
    with merged, atomic_output(output) as out:
        write_rows(merged.rows(), out, output_format, documents)


@cli.command()
@click.argument("table", metavar="TABLE")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of aligned lines.")
@_input_format
@_as_shell_tool
def stats(table: str, as_json: bool, input_format: str) -> None:
    """Tokens, types, hapax legomena, coverage and a Zipf exponent of TABLE ('-': stdin).

    The table may be unsorted; it is read once, in memory that grows with its
    number of distinct counts only.  With a docs column, also the rows that
    occur in one document only.
    """
    result = table_stats(read_table(table, input_format))
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        click.echo(format_text(result), nl=False)


@cli.command()
@click.argument("table_a", metavar="A")
@click.argument("table_b", metavar="B")
@click.option("-o", "--output", metavar="FILE", help="Write the comparison here (default: stdout).")
@click.option(
    "--output-format",
    type=click.Choice(FORMATS),
    default="tsv",
    show_default=True,
    help="tsv or csv: a header line naming the columns, then one line per token; "
    "jsonl: one JSON object per token.",
)
@_input_format
@click.option(
    "--sort",
    type=click.Choice(keyness.SORTS),
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
    type=click.Choice([str(p) for p in keyness.STANDARD_P]),
    help="Keep only the tokens whose G² is significant at P: 0.05 (G² >= 3.84), 0.01 (6.63), "
    "0.001 (10.83) or 0.0001 (15.14).",
)
@click.option("--bonferroni", is_flag=True, help="With --p: divide P by the number of tokens compared.")
@_as_shell_tool
def compare(
    table_a: str,
    table_b: str,
    output: str | None,
    output_format: str,
    input_format: str,
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
    _stdin_once((table_a, table_b), "A, B")
    if negative and positive_only:
        raise click.BadParameter("choose one of them, or neither", param_hint="--negative / --positive-only")
    if bonferroni and p is None:
        raise click.BadParameter("needs a cut-off to correct: --p", param_hint="--bonferroni")
    counts_a = keyness.token_counts(read_table(table_a, input_format))
    counts_b = keyness.token_counts(read_table(table_b, input_format))
    rows = keyness.compare(
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
        keyness.write_keyness(rows, out, output_format)


@cli.command()
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
@_input_format
@_as_shell_tool
def report(
    table: str, table_b: str | None, top: int, keywords: int, output: str | None, input_format: str
) -> None:
    """One self-contained HTML page of TABLE, or of TABLE against TABLE_B ('-': stdin, once).

    The stats figures, the rank-frequency plot with its Zipf fit, the
    coverage curve, the most frequent rows and, with TABLE_B, the keywords
    of each table.  No network, no script: it opens by double-click.
    """
    from wordfreq.report import report_html

    _stdin_once((table, table_b), "TABLE_B")
    page = report_html([table] if table_b is None else [table, table_b], top, keywords, input_format)
    with atomic_output(output) as out:
        out.write(page.encode("utf-8"))


def main() -> None:
    """The console script: the CLI, with SIGTERM turned into a clean exit."""
    handle_sigterm()
    try:
        cli(prog_name="wordfreq")
    except SystemExit as done:
        status = done.code
    else:  # pragma: no cover - click's standalone mode always exits
        status = 0
    if status is not None and not isinstance(status, int):
        sys.exit(status)
    # Skip the interpreter's teardown: freeing the dictionaries and the
    # table of a large run takes 0.1-0.2 s and serves no one.  Every output
    # is already written and closed; only stdio's buffers are left.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError:
        status = status or 1
    sys.stderr.flush()
    os._exit(status or 0)
