"""How inputs are cut into byte ranges (`chunking.plan_tasks`): sizes by where the bytes come from,
and a tail of smaller ranges at the end of the whole input, not of every file."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wordfreq.chunks.planning import (
    CHUNK_SIZE,
    MIN_TAIL_CHUNK,
    NETWORK_CHUNK_SIZE,
    TAIL_CHUNKS,
    Decoding,
    plan_tasks,
)
from wordfreq.options import RunOptions
from wordfreq.sources.inputs import Source
from wordfreq.tokenizers import TokenizerSpec, cut_points_for

CUT = cut_points_for(TokenizerSpec())


def sizes(path: str, size: int, chunk_size: int | None = None, after: int = 0) -> list[int]:
    tasks = plan_tasks(Source(path, size, True), Decoding(), CUT, chunk_size, after=after)
    return [(t.size if t.end is None else t.end) - t.start for t in tasks]  # type: ignore[union-attr]


@settings(deadline=None)
@given(st.integers(1, 1 << 22), st.integers(1 << 10, 1 << 20), st.integers(0, 1 << 22))
def test_ranges_tile_the_file(size: int, chunk_size: int, after: int) -> None:
    tasks = list(plan_tasks(Source("f.txt", size, True), Decoding(), CUT, chunk_size, after=after))
    ends = [t.end for t in tasks]  # type: ignore[union-attr]
    assert [t.start for t in tasks] == [0, *ends[:-1]] and ends[-1] is None  # type: ignore[union-attr]
    assert all(0 < n <= chunk_size for n in sizes("f.txt", size, chunk_size, after)[:-1])


def test_a_run_chunks_files_by_one_size_and_urls_by_another() -> None:
    assert RunOptions().chunk_size is None
    assert sizes("corpus.txt", 64 << 20)[0] == CHUNK_SIZE
    for url in ("s3://bucket/corpus.txt", "https://host/corpus.txt"):
        assert sizes(url, 64 << 20)[0] == NETWORK_CHUNK_SIZE == 4 * CHUNK_SIZE
        assert sizes(url, 64 << 20, chunk_size=1000)[0] == 1000  # a size asked for is the size


def test_the_tail_is_the_inputs_not_every_files() -> None:
    chunk = 1 << 20
    alone = sizes("f.txt", 8 * chunk, chunk)
    assert alone[:5] == [chunk] * 5 and alone[5] < chunk and min(alone[:-1]) == MIN_TAIL_CHUNK
    assert sizes("f.txt", 8 * chunk, chunk, after=TAIL_CHUNKS * chunk) == [chunk] * 8  # files follow
    followed = sizes("f.txt", 8 * chunk, chunk, after=chunk)  # a chunk's worth of the tail is later
    assert followed[:6] == [chunk] * 6 and followed[6] < chunk and min(followed[:-1]) >= chunk // 4


def test_the_smallest_range_grows_with_the_chunk() -> None:
    assert min(sizes("s3://b/k", 64 << 20)[:-1]) == NETWORK_CHUNK_SIZE // 16
    assert min(sizes("f.txt", 64 << 20, 1 << 18)[:-1]) == MIN_TAIL_CHUNK
