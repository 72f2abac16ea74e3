"""Remote inputs: URLs (``s3://``, ``https://``, ``gs://``...) read through fsspec.

This module is the only one that touches fsspec, which comes with the
optional ``remote`` extra and is imported only when a URL is met.  It owns:

* recognising a URL (`is_url`: a scheme, then ``://``);
* the storage options of a run (`Storage`, ``--storage-option KEY=VALUE``),
  passed to every filesystem the run opens, in the parent and in every
  worker; credentials and endpoints otherwise come the way the ecosystem
  configures them (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``,
  ``~/.aws/config``, fsspec's ``FSSPEC_S3_*`` variables...);
* listing a URL into objects (`list_objects`): an object, or every object
  under a prefix, in the order a local walk of the same tree gives;
* `probe`: the first bytes of objects (the binary-file check) and whether
  their server serves byte ranges, a few objects at a time;
* opening an object for reads at any offset (`open_object_range`: what a worker
  does for its byte range, whose bytes and the object's size it asks for
  at once, in one round trip) or as a stream (`open_stream`: compressed
  objects and other encodings, read by the parent; on S3 with plain
  settings one GET, whose failure midway has the rest read through fsspec
  from where it stopped), and reading small files whole (`read_bytes`);
* direct reads of S3 objects by the local engine's workers (`direct_reads`,
  `DirectRead`): the parent presigns a GET of the object and hands the URL
  to the workers with each range; a worker then reads its range with one
  plain ranged GET, which answers with the object's size too
  (``Content-Range``), and needs no S3 client, aiohttp or event loop of
  its own.  On S3 the listing, the probes, the signing and the parent's own
  reads are botocore's (`s3`), and s3fs is not imported at all,
  unless the storage options or fsspec's settings are ones only s3fs
  takes: then the parent presigns with s3fs's client.  Either way the GETs
  connect as the signing client does (certificate checks, proxies,
  timeouts), and a worker sends the GET of its next range ahead
  (`send_ahead`).  A direct read that does not answer 206 (an expired
  signature, a dropped connection, a missing object) is done again the
  usual way, through fsspec, whose answer or failure is the one that
  counts: direct reads change the cost of a read, never its result or its
  error;
* turning every failure of a store or of the network (after fsspec's own
  retries) into one `InputError` that names the URL (`failures`), with
  whatever a presigned URL's query would give away (signature, key ID,
  session token) blanked out.

Listings are never cached: every open asks the store for the object's size,
so a worker notices an object that changed size since the run began.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

from wordfreq.errors import InputError, OptionError, WordfreqError
from wordfreq.sources import s3

MISSING_EXTRA = "reading URLs needs the 'remote' extra: pip install '.[remote]'"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")
# The query parameters of a presigned URL that give away a credential or a signature.
_SECRET_PARAMETER = re.compile(
    r"((?:X-Amz-)?(?:Signature|Credential|Security-Token)|AWSAccessKeyId)=[^&\s\"'<>]*", re.IGNORECASE
)
_STREAM_BLOCK = 4 << 20  # bytes fetched ahead by one request when an object is read as a stream
# Opened for reads at any offset (to probe it), a file has no cache: each read is one request of its
# own size, whatever the block (which fsspec's HTTP needs to be non-zero to serve ranges at all).
_RANGED_BLOCK = 1 << 20
_PROBES_AT_ONCE = 16
# A presigned URL is good for an hour, and the parent signs a new one every few minutes, so that a
# range is read well within its URL's life even when the credentials are temporary (botocore renews
# those when they have less than 15 minutes left).
_PRESIGN_SECONDS = 3600
_RESIGN_SECONDS = 300


def is_url(path: str) -> bool:
    """Whether ``path`` is a URL (``s3://bucket/key``), not a local path."""
    return _URL.match(path) is not None


@dataclass(frozen=True)
class Storage:
    """How URLs are opened: fsspec storage options, as ``(key, value)`` pairs.

    Given as ``KEY=VALUE`` strings (``anon=true``, ``endpoint_url=http://...``)
    or as a mapping.  A VALUE that is JSON (``true``, ``5``, ``{"region_name":
    "x"}``) is taken as such, any other as a string; a later KEY replaces an
    earlier one.
    """

    options: tuple[tuple[str, Any], ...] = field(default=(), metadata={"option": "storage_option"})

    def __post_init__(self) -> None:
        given = self.options
        items = given.items() if isinstance(given, Mapping) else [given] if isinstance(given, str) else given
        pairs: dict[str, Any] = {}
        for item in items:
            key, value = _pair(item)
            pairs[key] = value
        object.__setattr__(self, "options", tuple(pairs.items()))

    def kwargs(self) -> dict[str, Any]:
        return dict(self.options)


DEFAULT_STORAGE = Storage()  # no storage options: the environment's settings alone


def _pair(item: object) -> tuple[str, Any]:
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and item[0]:
        return item
    if not isinstance(item, str) or "=" not in item or not item.partition("=")[0]:
        raise OptionError("storage_option", f"expected KEY=VALUE, not {item!r}")
    key, _, text = item.partition("=")
    try:
        return key, json.loads(text)
    except ValueError:
        return key, text


@dataclass(frozen=True)
class RemoteObject:
    """An object found at a URL: its URL, its size in bytes (None when the store does not say) and
    its first bytes, when finding it read them."""

    url: str
    size: int | None
    head: bytes | None = None


@contextlib.contextmanager
def failures(url: str) -> Iterator[None]:
    """Turn any failure meanwhile (other than a `WordfreqError`) into one `InputError` naming ``url``."""
    try:
        yield
    except WordfreqError:
        raise
    except Exception as err:
        raise InputError(f"{url}: {describe(err)}") from None


def describe(err: BaseException) -> str:
    """What went wrong, in a few words on one line: not found, access denied, or the failure's own text."""
    status = getattr(err, "status", None)  # aiohttp's ClientResponseError (an HTTP error status)
    cause = err.__cause__
    if isinstance(err, FileNotFoundError) and _http_failure(cause) and getattr(cause, "status", None) != 404:
        return describe(cause)  # type: ignore[arg-type] # fsspec's HTTP says "not found" for any failed HEAD
    text = redacted(" ".join(str(err).split())) or type(err).__name__
    if isinstance(err, FileNotFoundError) or status == 404:
        # s3fs says "bucket/key" for a missing key: only a text that adds something is kept.
        return "not found" if not any(c.isspace() for c in text) else f"not found ({_lower(text)})"
    if isinstance(err, PermissionError) or status in (401, 403):
        return f"access denied ({_lower(text)})"
    if isinstance(err, ImportError):  # a protocol whose package is missing: fsspec says which to install
        return text
    if isinstance(err, ValueError) and text.startswith("Protocol not known"):
        return f"unknown protocol ({text.rsplit(':', 1)[-1].strip()})"
    return f"cannot read: {text}"


def redacted(text: str) -> str:
    """``text`` with the values of a presigned URL's signature, key ID and session token blanked out."""
    return _SECRET_PARAMETER.sub(r"\1=...", text)


def _http_failure(err: BaseException | None) -> bool:
    """Whether ``err`` is a failure of an HTTP request (aiohttp's, which fsspec's HTTP uses)."""
    aiohttp = sys.modules.get("aiohttp")  # not imported: not its failure
    asyncio = sys.modules.get("asyncio")  # likewise (importing it costs every run 25 ms)
    return (asyncio is not None and isinstance(err, asyncio.TimeoutError)) or (
        aiohttp is not None and isinstance(err, aiohttp.ClientError)
    )


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _filesystem(url: str, storage: Storage) -> tuple[Any, str]:
    """The fsspec filesystem of ``url`` and the object's path in it."""
    try:
        import fsspec.core
    except ImportError:
        raise InputError(f"{url}: {MISSING_EXTRA}") from None
    with failures(url):
        return fsspec.core.url_to_fs(url, **{"use_listings_cache": False, **storage.kwargs()})


def list_objects(
    url: str, storage: Storage, keep: Callable[[str], bool], head_bytes: int = 0
) -> list[RemoteObject]:
    """The object at ``url``, or every object under it as a prefix whose path relative to it ``keep``
    takes, ordered as a walk of the same tree on disk (directory by directory, by name).  The first
    ``head_bytes`` of a lone object may come with it (`s3.Client.find`: one request for both)."""
    client = s3.client_for(storage.kwargs()) if url.startswith("s3://") else None
    found = client.find(url, head_bytes) if client is not None else None
    if found is None:
        found = _find(url, storage)
    if not found.prefix:
        return [RemoteObject(url, size, found.head) for _, url, size in found.entries]
    listed = [
        (relative.split("/"), url, size)
        for relative, url, size in found.entries
        if not relative.endswith("/") and relative and keep(relative)
    ]
    return [RemoteObject(url, size) for _, url, size in sorted(listed)]


def _find(url: str, storage: Storage) -> s3.Found:
    """What ``url`` names, through fsspec (`s3.Found`)."""
    fs, path = _filesystem(url, storage)
    with failures(url):
        info = fs.info(path)
        if info.get("type") != "directory":
            return s3.Found(False, [("", url, info.get("size"))])
        found = fs.find(path, detail=True)
    base = path.rstrip("/") + "/"
    return s3.Found(
        True,
        [
            (
                name[len(base) :] if name.startswith(base) else name,
                fs.unstrip_protocol(name),
                entry.get("size"),
            )
            for name, entry in found.items()
            if entry.get("type") == "file"
        ],
    )


def probe(objects: Iterable[RemoteObject], storage: Storage, nbytes: int) -> list[tuple[bytes | None, bool]]:
    """For each object: its first ``nbytes`` bytes (None when they cannot be read now: reading it
    will report why), and whether its server serves byte ranges of it (only HTTP servers may not)."""
    objects = list(objects)

    def direct(obj: RemoteObject) -> tuple[bytes | None, bool] | None:
        if obj.head is not None:
            return obj.head, True
        on_s3 = _s3_object(obj.url, storage)
        if on_s3 is None:
            return None
        if obj.size == 0:
            return b"", True
        got = on_s3[0].first_bytes(*on_s3[1], nbytes)
        return None if got is None else (got, True)

    at_once = min(_PROBES_AT_ONCE, len(objects) or 1)
    for obj in objects:  # no more at once than the S3 client keeps connections (botocore's: 10)
        on_s3 = _s3_object(obj.url, storage)
        if on_s3 is not None:
            at_once = min(at_once, on_s3[0].connections)
            break
    from concurrent.futures import ThreadPoolExecutor  # only for URLs: not on a local count's start

    with ThreadPoolExecutor(max_workers=at_once) as pool:
        found = list(pool.map(direct, objects))
        # The rest through fsspec, whose filesystems are made here: it keeps one per thread.
        usual = [(obj, *_filesystem(obj.url, storage)) for obj, got in zip(objects, found) if got is None]
        probed = iter(pool.map(lambda args: _probe_one(*args, nbytes), usual))
    return [got if got is not None else next(probed) for got in found]


def _probe_one(obj: RemoteObject, fs: Any, path: str, nbytes: int) -> tuple[bytes | None, bool]:
    try:
        if not _is_http(fs):  # one ranged GET (a file opened on S3 would ask for the object's ETag first)
            return (b"" if obj.size == 0 else cast(bytes, fs.cat_file(path, start=0, end=nbytes))), True
        with fs.open(path, "rb", block_size=_RANGED_BLOCK, cache_type="none", size=obj.size) as f:
            head = f.read(nbytes)
            if obj.size is None or obj.size <= 1:
                return head, True
            f.seek(obj.size - 1)
            try:
                f.read(1)  # a server that ignores ranges answers with the whole object: fsspec refuses it
            except ValueError:
                return head, False
            return head, True
    except Exception:  # reading it will report why, in a worker
        return None, True


def _protocols(fs: Any) -> tuple[str, ...]:
    return fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)


def _is_http(fs: Any) -> bool:
    return bool({"http", "https"} & set(_protocols(fs)))


@dataclass(frozen=True)
class DirectRead:
    """A presigned GET of an object (``href``) and how the client that signed it connects
    (`s3.transport_of`: certificates, proxies, client certificate, timeouts)."""

    href: str
    transport: s3.Transport = ()

    def __repr__(self) -> str:  # the URL carries a signature: never shown
        return "DirectRead(...)"


def direct_reads(url: str, storage: Storage) -> Callable[[], DirectRead | None] | None:
    """For an S3 object: what gives a `DirectRead` of it, signed anew every few minutes (None when
    it cannot be signed now: the worker then reads the usual way).  None instead for other stores,
    for S3 settings a presigned GET does not carry (extra request parameters, versions, requester
    pays), and for a client whose transport settings cannot be read."""
    on_s3 = _s3_object(url, storage)
    if on_s3 is not None and on_s3[0].transport is not None:
        client, where, transport = *on_s3, on_s3[0].transport
        return _resigning(lambda: DirectRead(client.presign(*where, _PRESIGN_SECONDS), transport))
    fs, path = _filesystem(url, storage)
    if "s3" not in _protocols(fs) or fs.s3_additional_kwargs or fs.req_kw or fs.version_aware:
        return None
    transport = _transport(fs)
    if transport is None:
        return None
    return _resigning(lambda: DirectRead(fs.url(path, expires=_PRESIGN_SECONDS), transport))


def _resigning(sign: Callable[[], DirectRead]) -> Callable[[], DirectRead | None]:
    """``sign``, called again when its last answer is a few minutes old (None while it fails)."""
    signed: list[Any] = [None, -_RESIGN_SECONDS]

    def signed_now() -> DirectRead | None:
        now = time.monotonic()
        if now - signed[1] >= _RESIGN_SECONDS:
            try:
                signed[0] = sign()
            except Exception:
                signed[0] = None
            signed[1] = now
        return cast("DirectRead | None", signed[0])

    return signed_now


def _transport(fs: Any) -> s3.Transport | None:
    """How ``fs``'s S3 client connects (None if it cannot be read: the client has not been made,
    or aiobotocore changed)."""
    try:
        return s3.transport_of(fs.s3._endpoint.http_session)
    except AttributeError:
        return None


def _direct_get(direct: DirectRead, start: int, stop: int) -> tuple[bytes, int] | None:
    """Bytes [start, stop) of the object of ``direct`` and its size now, in one ranged GET; None
    when the GET does not answer with exactly that (the caller reads the usual way)."""
    return s3.read_range(direct.href, direct.transport, start, stop)


def send_ahead(direct: DirectRead, start: int, stop: int) -> None:
    """Send now the GET of bytes [start, stop) that a read of ``direct`` will ask for
    (`s3.send_ahead`); its answer waits in the connection meanwhile."""
    s3.send_ahead(direct.href, direct.transport, start, stop)


def open_object_range(
    url: str, storage: Storage, span: tuple[int, int] | None, direct: DirectRead | None = None
) -> tuple[Callable[[int, int], bytes], int, bytes | None]:
    """The object at ``url`` for reads at any offset: a reader (``read(offset, n)``, one ranged
    request each), the object's size now, and its bytes ``span`` (start, stop), asked for together
    with the size in one round trip (None if they could not be read: the reader will say why).

    With ``direct`` (a presigned GET of it), reads are plain ranged GETs, the size comes with the
    span's bytes, and fsspec is used only for what a GET does not answer (`DirectRead`).

    Failures are `InputError` naming ``url``.
    """
    opened: list[tuple[Any, str]] = []

    def filesystem() -> tuple[Any, str]:
        if not opened:
            opened.append(_filesystem(url, storage))
        return opened[0]

    def read(offset: int, n: int) -> bytes:
        got = _direct_get(direct, offset, offset + n) if direct is not None and n > 0 else None
        if got is not None:
            return got[0]
        fs, path = filesystem()
        with failures(url):
            return cast(bytes, fs.cat_file(path, start=offset, end=offset + n))

    if direct is not None and span is not None and span[1] > span[0]:
        got = _direct_get(direct, *span)
        if got is not None:
            return read, got[1], got[0]
    fs, path = filesystem()
    with failures(url):
        info, held = _info_and_range(fs, path, span)
    return read, info["size"], held


def _info_and_range(fs: Any, path: str, span: tuple[int, int] | None) -> tuple[dict[str, Any], bytes | None]:
    """``fs.info(path)`` and the bytes ``span`` of it (None on failure), at once where ``fs`` is async."""
    if span is None:
        return fs.info(path), None
    if not fs.async_impl:
        info = fs.info(path)
        with contextlib.suppress(Exception):
            return info, fs.cat_file(path, start=span[0], end=span[1])
        return info, None
    import asyncio

    from fsspec.asyn import sync

    async def both() -> list[Any]:
        return await asyncio.gather(
            fs._info(path), fs._cat_file(path, start=span[0], end=span[1]), return_exceptions=True
        )

    info, held = sync(fs.loop, both)
    if isinstance(info, BaseException):
        raise info
    return info, None if isinstance(held, BaseException) else held


@contextlib.contextmanager
def open_stream(url: str, storage: Storage) -> Iterator[BinaryIO]:
    """The object at ``url``, to read from start to end: one streaming request over HTTP and on S3
    (botocore's, `s3`), requests of a few MB ahead elsewhere.  Its failures, reading
    included, are `InputError` naming ``url``."""
    on_s3 = _s3_object(url, storage)
    reader = _Reader(url, storage, on_s3[0].stream(*on_s3[1]) if on_s3 is not None else None)
    try:
        yield cast(BinaryIO, reader)
    finally:
        reader.close()


def _s3_object(url: str, storage: Storage) -> tuple[s3.Client, tuple[str, str]] | None:
    """The botocore client that reads ``url``, an S3 object, and its bucket and key (`s3`);
    None when s3fs reads it."""
    where = s3.split(url)
    client = s3.client_for(storage.kwargs()) if where is not None else None
    return None if client is None or where is None else (client, where)


def _fsspec_stream(url: str, storage: Storage, offset: int) -> Any:
    """The object at ``url`` opened through fsspec to be read from ``offset`` on."""
    fs, path = _filesystem(url, storage)
    with failures(url):
        if _is_http(fs):
            return fs.open(path, "rb", block_size=0)  # one GET, whether or not the server serves ranges
        f = fs.open(path, "rb", block_size=_STREAM_BLOCK, cache_type="readahead")
        f.seek(offset)
        return f


class _Reader(io.RawIOBase):
    """An object read from start to end, whose failures are `InputError` naming its URL (decompressors
    read through it): through fsspec, or through the body of one GET (``direct``, an S3 object read by
    botocore) whose failure midway has the rest read through fsspec, from where it stopped."""

    def __init__(self, url: str, storage: Storage, direct: Any = None):
        super().__init__()
        self.url = url
        self._storage = storage
        self._direct = direct
        self._f = _fsspec_stream(url, storage, 0) if direct is None else None
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._direct is not None:
            n = s3.read_into(self._direct, buffer)
            if n is not None:
                self._offset += n
                return n
            self._direct = None
            self._f = _fsspec_stream(self.url, self._storage, self._offset)
        with failures(self.url):
            data = self._f.read(len(buffer))
        buffer[: len(data)] = data
        self._offset += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(Exception):
                (self._direct or self._f).close()
        super().close()


def read_bytes(url: str) -> bytes:
    """The whole object at ``url`` (a user dictionary, a stopword list), with the ecosystem's settings."""
    on_s3 = _s3_object(url, DEFAULT_STORAGE)
    data = on_s3[0].get(*on_s3[1]) if on_s3 is not None else None
    if data is not None:
        return data
    fs, path = _filesystem(url, DEFAULT_STORAGE)
    with failures(url):
        return cast(bytes, fs.cat_file(path))
