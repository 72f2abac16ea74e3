"""The CLI's behaviours, through click's CliRunner (in-process)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from wordfreq.cli import cli

from conftest import cli_runner
from naive import naive_table, read_text


@pytest.fixture
def runner() -> CliRunner:
    return cli_runner()


def sample_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.txt"))


def test_count_prints_the_naive_table_and_a_summary(runner: CliRunner, sample_corpus: Path) -> None:
    result = runner.invoke(cli, ["count", str(sample_corpus), "-j", "2"])
    assert result.exit_code == 0, result.output
    assert result.stdout == naive_table(read_text(str(p)) for p in sample_files(sample_corpus))
    summary = result.stderr.strip().splitlines()
    assert len(summary) == 1
    assert summary[0].startswith("wordfreq: 7 files, ") and "tokens" in summary[0] and "MB/s" in summary[0]


def test_quiet_prints_nothing_on_stderr(runner: CliRunner, sample_corpus: Path) -> None:
    result = runner.invoke(cli, ["count", str(sample_corpus), "-q"])
    assert result.exit_code == 0
    assert result.stderr == ""


def test_output_file_gets_the_table_and_stdout_stays_empty(
    runner: CliRunner, sample_corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "freq.tsv"
    result = runner.invoke(cli, ["count", str(sample_corpus), "-o", str(out), "-q"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == runner.invoke(cli, ["count", str(sample_corpus), "-q"]).stdout
    assert sorted(os.listdir(tmp_path)) == ["freq.tsv"]


def test_dash_output_means_stdout(runner: CliRunner, sample_corpus: Path) -> None:
    result = runner.invoke(cli, ["count", str(sample_corpus / "english.txt"), "-o", "-", "-q"])
    assert result.exit_code == 0
    assert "the\t" in result.stdout


def test_rows_are_sorted_by_count_then_code_point(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("b a c a b a Z", encoding="utf-8")
    result = runner.invoke(cli, ["count", str(tmp_path), "-q"])
    assert result.stdout == "a\t3\nb\t2\nZ\t1\nc\t1\n"


def test_whitespace_only_file_gives_an_empty_table(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "blank.txt").write_text(" \n\r\n\t\u3000\xa0\r", encoding="utf-8")
    result = runner.invoke(cli, ["count", str(tmp_path / "blank.txt"), "-q"])
    assert result.exit_code == 0
    assert result.stdout == ""


def test_stdin_is_read_for_dash(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["count", "-", "-q"], input="我们在北京。我们".encode())
    assert result.stdout == "我们\t2\n。\t1\n北京\t1\n在\t1\n"


def test_modes_and_no_hmm_change_the_segmentation(runner: CliRunner) -> None:
    text = "他来到了网易杭研大厦".encode()

    def tokens(*options: str) -> set[str]:
        out = runner.invoke(cli, ["count", "-", "-q", *options], input=text).stdout
        return {line.split("\t")[0] for line in out.splitlines()}

    assert "杭研" in tokens()
    assert "杭研" not in tokens("--no-hmm")
    assert {"网易", "大厦"} <= tokens("--mode", "all")
    assert "杭研" in tokens("--mode", "search")


def test_user_dict_keeps_its_words_whole(runner: CliRunner, sample_corpus: Path) -> None:
    user_dict = sample_corpus.parent / "userdict.txt"
    text = "本市地铁青禾线今天开通，科创园站人很多。".encode()
    plain = runner.invoke(cli, ["count", "-", "-q"], input=text).stdout
    with_dict = runner.invoke(cli, ["count", "-", "-q", "--user-dict", str(user_dict)], input=text).stdout
    assert "青禾线\t1" not in plain
    assert "青禾线\t1" in with_dict and "科创园站\t1" in with_dict


def test_hidden_files_and_folders_are_skipped(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "a.txt").write_text("secret", encoding="utf-8")
    (tmp_path / ".b.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "c.txt").write_text("visible", encoding="utf-8")
    result = runner.invoke(cli, ["count", str(tmp_path), "-q"])
    assert result.stdout == "visible\t1\n"


def test_a_symlink_loop_neither_hangs_nor_counts_twice(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("word", encoding="utf-8")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "alias.txt").symlink_to(tmp_path / "sub" / "a.txt")
    result = runner.invoke(cli, ["count", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout == "word\t1\n"
    assert "1 file," in result.stderr


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.txt", "missing.txt: no such file or directory"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "empty: no files found in directory"),
    ],
)
def test_bad_paths_fail_with_one_line_and_status_1(runner: CliRunner, tmp_path: Path, make, message) -> None:
    result = runner.invoke(cli, ["count", str(make(tmp_path))])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_file_fails_with_status_1(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x", encoding="utf-8")
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as a user that can read anything")
    result = runner.invoke(cli, ["count", str(path)])
    assert result.exit_code == 1 and "permission denied" in result.stderr.lower()


def test_invalid_utf8_names_the_file_and_byte(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes("我们在北京。".encode() * 1000 + b"\xff" + "天安门".encode())
    for workers in ("1", "2"):
        result = runner.invoke(cli, ["count", str(path), "-j", workers, "--chunk-size", "1K"])
        assert result.exit_code == 1
        assert f"bad.txt: byte {18 * 1000}: not valid utf-8" in result.stderr
        assert result.stderr.count("\n") == 1


def test_errors_replace_completes_and_reports_the_bytes(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"abc \xff\xfe def")
    result = runner.invoke(cli, ["count", str(path), "--errors", "replace"])
    assert result.exit_code == 0
    assert "\ufffd\t2" in result.stdout
    assert "2 undecodable bytes replaced or dropped" in result.stderr
    ignored = runner.invoke(cli, ["count", str(path), "--errors", "ignore", "-q"])
    assert ignored.stdout == "abc\t1\ndef\t1\n"


def test_other_encodings_are_decoded(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("我们在北京。".encode("gb18030"))
    result = runner.invoke(cli, ["count", str(path), "--encoding", "gb18030", "-q"])
    assert result.stdout == "。\t1\n北京\t1\n在\t1\n我们\t1\n"


def test_failed_run_leaves_an_existing_output_untouched(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "freq.tsv"
    out.write_text("old\t1\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff")
    result = runner.invoke(cli, ["count", str(tmp_path / "bad.txt"), "-o", str(out)])
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "old\t1\n"
    assert sorted(os.listdir(tmp_path)) == ["bad.txt", "freq.tsv"]


def test_output_into_a_missing_directory_fails_cleanly(
    runner: CliRunner, sample_corpus: Path, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["count", str(sample_corpus), "-o", str(tmp_path / "no" / "freq.tsv")])
    assert result.exit_code == 1
    assert "freq.tsv: cannot write" in result.stderr and result.stderr.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_user_dict_must_be_utf8(runner: CliRunner, tmp_path: Path) -> None:
    user_dict = tmp_path / "dict.txt"
    user_dict.write_bytes("青禾线 3\n".encode("gb18030"))
    result = runner.invoke(cli, ["count", "-", "--user-dict", str(user_dict)], input=b"x")
    assert result.exit_code == 2 and "user dictionary must be UTF-8" in result.stderr
    assert "Invalid value for '--user-dict'" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["count"],
        ["count", "x", "--mode", "fast"],
        ["count", "x", "-j", "0"],
        ["count", "x", "--chunk-size", "1X"],
    ],
)
def test_usage_errors_exit_2(runner: CliRunner, args: list[str]) -> None:
    assert runner.invoke(cli, args).exit_code == 2


def test_chunk_size_takes_suffixes(runner: CliRunner, sample_corpus: Path) -> None:
    whole = runner.invoke(cli, ["count", str(sample_corpus), "-q"]).stdout
    assert runner.invoke(cli, ["count", str(sample_corpus), "-q", "--chunk-size", "2K"]).stdout == whole


def test_top_selects_the_most_frequent_rows_of_an_unsorted_table(runner: CliRunner, tmp_path: Path) -> None:
    table = tmp_path / "t.tsv"
    table.write_text("c\t1\na\t5\nb\t5\nd\t9\n", encoding="utf-8")
    assert runner.invoke(cli, ["top", str(table), "-n", "3"]).stdout == "d\t9\na\t5\nb\t5\n"
    assert runner.invoke(cli, ["top", "-", "-n", "1"], input=table.read_bytes()).stdout == "d\t9\n"


def test_top_defaults_to_100_rows(runner: CliRunner) -> None:
    table = "".join(f"w{i}\t{i}\n" for i in range(250)).encode()
    out = runner.invoke(cli, ["top", "-"], input=table).stdout
    assert len(out.splitlines()) == 100 and out.startswith("w249\t249\n")


def test_top_rejects_a_malformed_table_naming_the_line(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["top", "-"], input=b"a\t1\nb two\n")
    assert result.exit_code == 1
    assert "<stdin>: line 2: expected 'token<TAB>count'" in result.stderr


def test_top_of_a_missing_table_fails_with_status_1(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["top", str(tmp_path / "nope.tsv")])
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_the_summary_time_includes_sorting_and_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time reported is the command's, not the count's alone: a slow write shows in it."""
    import json
    import time

    from wordfreq.cli import corpus as cli_module

    write_rows = cli_module.write_rows

    def slow_write_rows(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        time.sleep(0.5)
        write_rows(*args, **kwargs)

    monkeypatch.setattr(cli_module, "write_rows", slow_write_rows)
    summary = tmp_path / "summary.json"
    result = cli_runner().invoke(
        cli, ["count", "-", "--summary-json", str(summary)], input="我们在北京".encode()
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(summary.read_text())["seconds"] >= 0.5
    seconds = re.search(r", ([0-9.]+) s, ", result.stderr)
    assert seconds is not None and float(seconds.group(1)) >= 0.5
