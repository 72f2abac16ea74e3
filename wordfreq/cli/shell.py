"""The conventions every command shares: errors, exit statuses, and options taken from the options model.

Only tables go to stdout; messages go to stderr as ``wordfreq: ...``, one
line each.  `shell_tool` maps what a command raises to the documented exit
statuses: 1 for an error the user can act on (`WordfreqError`, one line, no
traceback), 2 for a bad value (`OptionError`, shown as click shows a usage
error), 0 when the reader of stdout went away (``| head``), 130 on Ctrl-C,
143 on SIGTERM.  `model_option` makes the click option of one field of the
options model, with the default read off the field; the groups of options
that several commands share (`reading_options`, `reporting_options`...) are
defined here once.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from wordfreq import FORMATS, STDIN, WRITE_FORMATS, Terminated
from wordfreq.errors import OptionError, WordfreqError
from wordfreq.options import (
    CHUNK_SIZE,
    CONFIGS,
    ENGINES,
    ERROR_MODES,
    MODES,
    NETWORK_CHUNK_SIZE,
    START_METHODS,
    STOP_LIST_NAMES,
    TOKENIZERS,
    option_default,
)

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")
DISTRIBUTION = "corpus-wordfreq"  # the name on the package index; the command and the import stay wordfreq
PART_FORMATS = ("tsv", "csv", "jsonl")  # the formats of the tables of parts (long, dispersion)
_SIZE_SUFFIXES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def say(message: str) -> None:
    click.echo(f"wordfreq: {message}", err=True)


def flags_hint(options: tuple[str, ...]) -> str:
    """`` (see --encoding, --errors)``: the flags of the options that get past an error, if any."""
    if not options:
        return ""
    return f" (see {', '.join('--' + option.replace('_', '-') for option in options)})"


def stdin_once(paths: Sequence[str | None], hint: str) -> None:
    """A usage error if ``-`` (standard input) is among ``paths`` more than once."""
    if list(paths).count(STDIN) > 1:
        raise click.BadParameter("'-' (standard input) may be given only once", param_hint=hint)


def binary_output(output: str | None, output_format: str) -> None:
    """A usage error for Parquet (binary) bound for a terminal: it goes to a file or a pipe."""
    if output_format == "parquet" and output in (None, STDIN) and sys.stdout.isatty():
        raise click.BadParameter(
            "Parquet is binary: write it to a file (-o FILE) or a pipe, not a terminal",
            param_hint="--output-format",
        )


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def shell_tool(command: F) -> F:
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
            say(f"error: {err}{flags_hint(err.options)}")
            ctx.exit(1)
        except BrokenPipeError:
            silence_stdout()
            ctx.exit(0)
        except KeyboardInterrupt:
            say("interrupted")
            ctx.exit(130)
        except Terminated:
            say("terminated")
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


output_format_option = click.option(
    "--output-format",
    type=click.Choice(WRITE_FORMATS),
    default="tsv",
    show_default=True,
    help="tsv: 'token<TAB>count' rows (and <TAB>docs with document frequencies); csv: the same "
    "as CSV; jsonl: one JSON object per line; parquet: typed columns token, count (int64), docs "
    "(to a file or a pipe, not a terminal).  Write-only vocabularies for other tools: "
    "sentencepiece, 'token<TAB>count' for spm_train --input_format=tsv; jieba, 'token count' "
    "for jieba.load_userdict and subword-nmt learn-bpe --dict-input; gensim, "
    "Dictionary.save_as_text's format for Dictionary.load_from_text (needs document frequencies).",
)
input_format_option = click.option(
    "--input-format",
    type=click.Choice(FORMATS),
    help="The format of the tables read, two or three columns (default: Parquet when a table starts "
    "with Parquet's magic bytes, else tsv).",
)
documents_option = click.option(
    "--documents",
    type=click.IntRange(min=0),
    metavar="N",
    help="With --output-format gensim: the number of documents counted, its first line "
    "(a table does not record it).",
)


def model_option(option: str, *flags: str, **attrs: Any) -> Callable[[F], F]:
    """The click option that sets ``option`` of the options model; its default is read off the model."""
    default = option_default(option)
    if isinstance(default, frozenset):  # a set of words, which the command line names by a file
        default = None
    attrs.setdefault("show_default", not (default is None or default is False or default == ()))
    return click.option(*flags, option, default=default, **attrs)


memory_option = model_option(
    "memory",
    "--memory",
    type=ByteSize(),
    metavar="SIZE",
    help="Memory the counts may take before they are spilled to disk and merged there "
    "(default: half of this machine's memory).",
)
temp_dir_option = model_option(
    "temp_dir",
    "--temp-dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Where spilled counts go (default: the platform's temporary directory).",
)


def together(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator that applies ``decorators`` in the order written (the first is the outermost)."""

    def apply(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


user_dict_option = model_option(
    "user_dict",
    "--user-dict",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="A jieba user dictionary: 'word [freq] [tag]' per line, UTF-8.",
)
dict_option = model_option(
    "dict",
    "--dict",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="jieba's main dictionary to use instead of its own, as jieba.set_dictionary takes it "
    "('word freq [tag]' per line, UTF-8; e.g. dict.txt.big).",
)
# Parts of speech: jieba.posseg's tags on the tokens, or choosing them.
pos_options = together(
    model_option(
        "pos",
        "--pos",
        is_flag=True,
        help="Count each token as word/tag, with jieba.posseg's part of speech (tags: docs/pos-tags.md).",
    ),
    model_option(
        "pos_include",
        "--pos-include",
        metavar="TAGS",
        help="Keep only the tokens whose tag matches, with or without --pos "
        "(a comma list; n* matches every tag that starts with n).",
    ),
    model_option(
        "pos_exclude",
        "--pos-exclude",
        metavar="TAGS",
        help="Drop the tokens whose tag matches (as --pos-include).",
    ),
)
# Where the text comes from and how the run goes: the same for every command that reads a corpus.


reading_options = together(
    model_option(
        "encoding",
        "--encoding",
        metavar="NAME",
        help="The input's encoding, any Python codec (UTF-8: a leading BOM is skipped).",
    ),
    model_option(
        "errors",
        "--errors",
        type=click.Choice(ERROR_MODES),
        help="What to do with undecodable bytes: stop, replace them with U+FFFD, or drop them.",
    ),
    model_option(
        "chunk_size",
        "--chunk-size",
        type=ByteSize(),
        show_default=f"{ByteSize.format(CHUNK_SIZE)}; {ByteSize.format(NETWORK_CHUNK_SIZE)} for URLs",
        help="Bytes of input per task.",
    ),
    model_option(
        "workers",
        "-j",
        "--workers",
        type=click.IntRange(min=1),
        help="Worker processes (default: the CPUs this process may use).",
    ),
    model_option(
        "start_method",
        "--start-method",
        type=click.Choice(START_METHODS),
        help="How worker processes start (default: the platform's).",
    ),
    model_option(
        "engine",
        "--engine",
        type=click.Choice(ENGINES),
        help="Count with local worker processes, or on a Dask cluster (needs the 'dask' extra).",
    ),
    model_option(
        "scheduler",
        "--scheduler",
        metavar="ADDRESS",
        help="With --engine dask: the scheduler's address, e.g. tcp://host:8786 "
        "(default: a new local cluster).",
    ),
    model_option(
        "include",
        "--include",
        multiple=True,
        metavar="GLOB",
        help="In directories (and URL prefixes), count only files whose name or relative path matches "
        "(repeatable).",
    ),
    model_option(
        "exclude",
        "--exclude",
        multiple=True,
        metavar="GLOB",
        help="In directories (and URL prefixes), skip files whose name or relative path matches "
        "(repeatable).",
    ),
    model_option(
        "storage_option",
        "--storage-option",
        multiple=True,
        metavar="KEY=VALUE",
        help="An fsspec storage option for the URLs among PATH... (repeatable), e.g. anon=true, "
        "endpoint_url=http://host:9000; VALUE is read as JSON when it is JSON.",
    ),
    model_option(
        "convert",
        "--convert",
        type=click.Choice(CONFIGS),
        metavar="CONFIG",
        help="Convert the text with this OpenCC configuration before cutting it: t2s (traditional to "
        "simplified), tw2s, hk2s, s2t, t2tw... (needs the 'convert' extra).",
    ),
    model_option(
        "field",
        "--field",
        metavar="PATH",
        help="Read JSON Lines and count the text at this field of each record (dotted: meta.title).",
    ),
    model_option(
        "skip_bad_records",
        "--skip-bad-records",
        is_flag=True,
        help="With --field: skip lines that aren't JSON or lack the field, and report how many.",
    ),
)
reporting_options = together(
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
# How text becomes tokens and which tokens a table keeps: the same for every command that segments.
tokenizing_options = together(
    model_option("tokenizer", "--tokenizer", type=click.Choice(TOKENIZERS), help="How text becomes tokens."),
    model_option(
        "mode",
        "--mode",
        type=click.Choice(MODES),
        help="jieba's mode: accurate (cut), all (cut_all) or search (cut_for_search).",
    ),
    model_option("hmm", "--hmm/--no-hmm", help="Let jieba's HMM find words missing from the dictionary."),
    user_dict_option,
    dict_option,
    reading_options,
)
filtering_options = together(
    model_option(
        "lowercase", "--lowercase", is_flag=True, help="Fold tokens to lower case (after segmentation)."
    ),
    model_option(
        "stopwords",
        "--stopwords",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="Drop the tokens listed in FILE (one a line, UTF-8).",
    ),
    model_option(
        "stop_list",
        "--stop-list",
        multiple=True,
        type=click.Choice(STOP_LIST_NAMES),
        metavar="NAME",
        help="Drop the tokens of this named list (repeatable; with --stopwords too): "
        + ", ".join(STOP_LIST_NAMES)
        + " (wordfreq stop-lists says what each is).",
    ),
    model_option(
        "no_punct", "--no-punct", is_flag=True, help="Drop tokens made only of punctuation and symbols."
    ),
    model_option(
        "no_numbers", "--no-numbers", is_flag=True, help="Drop tokens made only of digits (and . , %)."
    ),
    model_option(
        "min_length",
        "--min-length",
        type=click.IntRange(min=0),
        metavar="N",
        help="Drop tokens shorter than N characters.",
    ),
)


def field_option(cls: type, name: str, *flags: str, **attrs: Any) -> Callable[[F], F]:
    """The click option that sets field ``name`` of the dataclass ``cls`` (a spec of an analysis); its
    default is read off the field."""
    default = next(f.default for f in dataclasses.fields(cls) if f.name == name)
    attrs.setdefault("show_default", not (default is None or default is False))
    return click.option(*flags, name, default=default, **attrs)
