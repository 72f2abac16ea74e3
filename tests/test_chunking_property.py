"""Property: cutting anywhere the chunker allows never changes the table.

Random texts mixing Chinese, Latin letters, digits, punctuation, spaces,
CRLF and lone CR, counted at random chunk sizes (down to one byte) through
both readers (byte ranges of a file, and a stream), in every jieba mode,
with and without HMM, give the naive program's counts.
"""

from __future__ import annotations

import io
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordfreq import count

from conftest import PIECES
from naive import naive_counts

texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=60).map("".join)

_settings = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def count_both_ways(data: bytes, **options: object) -> tuple[object, object]:
    fd, path = tempfile.mkstemp(suffix=".txt")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        from_file = count([path], workers=1, **options).counts  # type: ignore[arg-type]
    finally:
        os.unlink(path)
    from_stream = count(["-"], stdin=io.BytesIO(data), workers=1, **options).counts  # type: ignore[arg-type]
    return from_file, from_stream


@_settings
@given(
    text=texts,
    chunk_size=st.integers(1, 80),
    mode=st.sampled_from(["accurate", "all", "search"]),
    hmm=st.booleans(),
)
def test_any_chunking_gives_the_naive_counts(text: str, chunk_size: int, mode: str, hmm: bool) -> None:
    # Lone surrogates cannot be written as UTF-8; a NUL byte makes a file binary (skipped).
    text = text.replace("\ud800", "").replace("\0", "")
    data = text.encode("utf-8", "surrogatepass")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    expected = naive_counts([text.removeprefix("\ufeff")], mode=mode, hmm=hmm)
    from_file, from_stream = count_both_ways(data, chunk_size=chunk_size, mode=mode, hmm=hmm)
    assert from_file == expected
    assert from_stream == expected


bad_bytes = st.sampled_from([b"\xff", b"\xe4\xb8", b"\xc3", b"\x80\x80", b"\xf0\x9f\x98", b"\xed\xa0\x80"])


@_settings
@given(
    parts=st.lists(st.one_of(texts.map(lambda t: t.encode("utf-8", "ignore")), bad_bytes), max_size=12),
    chunk_size=st.integers(1, 50),
    errors=st.sampled_from(["replace", "ignore"]),
    mode=st.sampled_from(["accurate", "all"]),
)
def test_undecodable_bytes_are_handled_as_a_whole_file_decode_would(
    parts: list[bytes], chunk_size: int, errors: str, mode: str
) -> None:
    data = b"".join(parts).replace(b"\0", b"")  # a NUL byte makes a file binary (skipped)
    text = data.decode("utf-8", errors).removeprefix("\ufeff")
    expected = naive_counts([text], mode=mode)
    from_file, from_stream = count_both_ways(data, chunk_size=chunk_size, errors=errors, mode=mode)
    assert from_file == expected
    assert from_stream == expected
