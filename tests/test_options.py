"""The options model: one field per option, checked once, the same from the CLI and the API."""

from __future__ import annotations

import dataclasses
import io
import pickle
from pathlib import Path

import pytest

from wordfreq import CountOptions, Filters, OptionError, RunOptions, TokenizerSpec, count
from wordfreq.cli import cli
from wordfreq.errors import InputError, WordfreqError
from wordfreq.options import OPTIONS, option_default, with_keywords

from conftest import cli_runner

# Every flag of `wordfreq count` that is not an option of the model.
CLI_ONLY = {"paths", "output", "output_format", "quiet", "verbose", "summary_json"}


def count_params() -> dict[str, object]:
    command = cli.commands["count"]
    return {param.name: param for param in command.params if param.name not in CLI_ONLY}


def test_every_option_is_one_flag_of_the_same_name() -> None:
    assert set(count_params()) == set(OPTIONS)


def test_every_flag_takes_its_default_from_the_model() -> None:
    for name, param in count_params().items():
        default = option_default(name)
        expected = None if isinstance(default, frozenset) else default
        assert param.default == expected, name  # type: ignore[attr-defined]


def test_option_names_are_unique_across_the_parts() -> None:
    names = [
        f.metadata.get("option", f.name)
        for part in dataclasses.fields(CountOptions)
        for f in dataclasses.fields(part.default_factory)  # type: ignore[arg-type]
    ] + [f.name for f in dataclasses.fields(RunOptions)]
    assert len(names) == len(set(names)) == len(OPTIONS)


BAD_VALUES = [
    (["--encoding", "nope"], "--encoding", "unknown encoding 'nope'"),
    (["--tokenizer", "whitespace", "--mode", "all"], "--mode", "for the jieba tokenizers only"),
    (["--tokenizer", "char", "--no-hmm"], "--hmm", "turning the HMM off is for the jieba tokenizers only"),
    (["--field", "x.."], "--field", "expected names joined by dots"),
    (["--skip-bad-records"], "--skip-bad-records", "needs a field"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler", "for the dask engine only"),
    (["--chunk-size", "0"], "--chunk-size", "at least 1 byte"),
    (["-j", "0"], "-j' / '--workers", "x>=1"),
    (["--min-count", "0"], "--min-count", "x>=1"),
    (["--errors", "loud"], "--errors", "'loud' is not one of"),
    (["--user-dict", "missing.txt"], "--user-dict", "missing.txt: no such file"),
    (["--stopwords", "missing.txt"], "--stopwords", "missing.txt: no such file"),
    (["--storage-option", "anon"], "--storage-option", "expected KEY=VALUE, not 'anon'"),
]


@pytest.mark.parametrize(("args", "flag", "message"), BAD_VALUES, ids=[case[1] for case in BAD_VALUES])
def test_a_bad_value_is_a_usage_error_naming_its_flag(
    args: list[str], flag: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli_runner().invoke(cli, ["count", "-", *args], input=b"x")
    assert result.exit_code == 2, result.stderr
    assert f"Invalid value for '{flag}" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_non_utf8_stopword_list_is_a_usage_error(tmp_path: Path) -> None:
    stop = tmp_path / "stop.txt"
    stop.write_bytes(b"ok\n\xff\n")
    result = cli_runner().invoke(cli, ["count", "-", "--stopwords", str(stop)], input=b"x")
    assert result.exit_code == 2
    assert "Invalid value for '--stopwords'" in result.stderr and "stop.txt: byte 3:" in result.stderr


@pytest.mark.parametrize(
    ("keywords", "option"),
    [
        ({"encoding": "nope"}, "encoding"),
        ({"tokenizer": "char", "mode": "search"}, "mode"),
        ({"field": "a..b"}, "field"),
        ({"workers": 0}, "workers"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"min_length": -1}, "min_length"),
        ({"max_rows": True}, "max_rows"),
        ({"engine": "spark"}, "engine"),
        ({"start_method": "thread"}, "start_method"),
    ],
)
def test_the_api_raises_an_option_error_naming_the_keyword(keywords: dict[str, object], option: str) -> None:
    with pytest.raises(OptionError) as error:
        count(["-"], stdin=io.BytesIO(b"x"), **keywords)  # type: ignore[arg-type]
    assert error.value.option == option
    assert isinstance(error.value, ValueError) and isinstance(error.value, WordfreqError)
    assert "--" not in str(error.value)  # the library's words, not the CLI's


def test_an_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="unknown option 'worker'"):
        count(["-"], stdin=io.BytesIO(b"x"), worker=2)


def test_the_objects_and_the_keywords_count_the_same(tmp_path: Path) -> None:
    stop = tmp_path / "stop.txt"
    stop.write_text("的\n", encoding="utf-8")
    text = "我们的 Apple apple 的 3.5 北京。".encode()
    by_keywords = count(["-"], stdin=io.BytesIO(text), lowercase=True, stopwords=str(stop), no_numbers=True)
    count_options = CountOptions(filters=Filters(lowercase=True, stopwords=str(stop), no_numbers=True))
    by_objects = count(["-"], count_options, RunOptions(workers=1), stdin=io.BytesIO(text))
    assert by_keywords.counts == by_objects.counts
    assert "的" not in by_objects.counts and by_objects.counts["apple"] == 2


def test_keywords_change_only_what_they_name() -> None:
    count_options, run_options = with_keywords(
        CountOptions(tokenizer=TokenizerSpec("jieba", hmm=False)), RunOptions(workers=3), {"mode": "search"}
    )
    assert count_options.tokenizer == TokenizerSpec("jieba", "search", hmm=False)
    assert run_options == RunOptions(workers=3)


def test_a_user_dictionary_is_read_once_into_the_spec(tmp_path: Path) -> None:
    user_dict = tmp_path / "dict.txt"
    user_dict.write_text("青禾线 3\n", encoding="utf-8")
    spec = TokenizerSpec(user_dict=str(user_dict))
    user_dict.unlink()
    assert spec.user_dict == "青禾线 3\n".encode()
    assert dataclasses.replace(spec, mode="search").user_dict == spec.user_dict


def test_errors_pickle_with_what_they_name() -> None:
    option_error = pickle.loads(pickle.dumps(OptionError("encoding", "unknown encoding 'x'")))
    assert (type(option_error), option_error.option, str(option_error)) == (
        OptionError,
        "encoding",
        "unknown encoding 'x'",
    )
    input_error = pickle.loads(pickle.dumps(InputError("a.txt: byte 3", options=("errors",))))
    assert (type(input_error), input_error.options, str(input_error)) == (
        InputError,
        ("errors",),
        "a.txt: byte 3",
    )


def test_an_input_error_shows_the_flags_that_get_past_it(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok \xff")
    result = cli_runner().invoke(cli, ["count", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("(see --encoding, --errors)")
