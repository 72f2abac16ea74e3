"""The table equals the naive program's, for every worker count and chunk size."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from wordfreq import count, sorted_rows

from naive import naive_table, read_text


def table_of(paths: list[Path], **options: object) -> str:
    result = count([str(p) for p in paths], **options)  # type: ignore[arg-type]
    return "".join(f"{t}\t{n}\n" for t, n in sorted_rows(result.counts))


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


@pytest.mark.parametrize("workers", [1, 2, 4])
@pytest.mark.parametrize("chunk_size", [64, 1000, 1 << 20])
def test_sample_corpus_equals_naive(sample_corpus: Path, workers: int, chunk_size: int) -> None:
    expected = naive_table(read_text(str(p)) for p in files_under(sample_corpus))
    assert table_of([sample_corpus], workers=workers, chunk_size=chunk_size) == expected


@pytest.mark.parametrize("mode", ["accurate", "all", "search"])
@pytest.mark.parametrize("hmm", [True, False])
@pytest.mark.parametrize("workers", [1, 2])
def test_generated_corpus_equals_naive_in_every_mode(
    generated_corpus: Path, mode: str, hmm: bool, workers: int
) -> None:
    expected = naive_table((read_text(str(p)) for p in files_under(generated_corpus)), mode=mode, hmm=hmm)
    got = table_of([generated_corpus], workers=workers, chunk_size=97, mode=mode, hmm=hmm)
    assert got == expected


def test_stdin_equals_naive(generated_corpus: Path) -> None:
    path = generated_corpus / "part4.txt"
    data = path.read_bytes()
    expected = naive_table([read_text(str(path))])
    for workers in (1, 2):
        result = count(["-"], stdin=io.BytesIO(data), workers=workers, chunk_size=211)
        assert "".join(f"{t}\t{n}\n" for t, n in sorted_rows(result.counts)) == expected


def test_user_dict_equals_naive(sample_corpus: Path) -> None:
    user_dict = (sample_corpus.parent / "userdict.txt").read_bytes()
    expected = naive_table((read_text(str(p)) for p in files_under(sample_corpus)), user_dict=user_dict)
    assert expected != naive_table(read_text(str(p)) for p in files_under(sample_corpus))
    got = table_of(
        [sample_corpus], workers=2, chunk_size=300, user_dict=str(sample_corpus.parent / "userdict.txt")
    )
    assert got == expected


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_other_start_methods_equal_naive(sample_corpus: Path, start_method: str) -> None:
    user_dict = sample_corpus.parent / "userdict.txt"
    expected = naive_table(
        (read_text(str(p)) for p in files_under(sample_corpus)), user_dict=user_dict.read_bytes()
    )
    got = table_of(
        [sample_corpus], workers=2, chunk_size=2000, start_method=start_method, user_dict=str(user_dict)
    )
    assert got == expected


def test_a_leading_bom_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff我们在北京".encode())
    assert "\ufeff" not in count([str(path)], workers=1).counts
    assert (
        count([str(path)], workers=1).counts
        == count(["-"], stdin=io.BytesIO(path.read_bytes()), workers=1).counts
    )
