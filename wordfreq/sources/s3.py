"""S3 without s3fs: botocore's client in the parent, GETs of presigned URLs in the workers.

Importing s3fs and making its client costs a process about 0.35 s of CPU
(aiobotocore, aiohttp and its SSL context, botocore, S3's service model):
more than counting 5 MB of text takes.  botocore alone, the library s3fs
signs with, costs half of that, and nothing else is needed to list, probe,
presign and read.  So, for an S3 URL, this module does what a run asks of
the store with botocore, and s3fs is imported only for what botocore is not
given here.  It owns:

* the parent's client (`client_for`): a synchronous botocore S3 client made
  from the storage options s3fs would give its own (``key``, ``secret``,
  ``token``, ``anon``, ``endpoint_url``, ``profile``, ``client_kwargs``,
  ``config_kwargs``, with s3fs's timeouts), one per process and options.
  Credentials, region, endpoint, the AWS config files, certificates and
  proxies are botocore's to resolve, as they are s3fs's.  Other storage
  options (``requester_pays``, ``version_aware``...), fsspec's own settings
  for S3 (``FSSPEC_S3_*``, its config files) or a client botocore cannot
  make give None: s3fs reads the URL;
* what the parent asks of the store (`Client`): listing (a ranged GET of an
  object's first bytes, by a presigned URL as the workers read, which tells
  its size too, else the client's own calls: HEAD, the ListObjectsV2
  paginator under it as a prefix, as s3fs's ``info`` and ``find`` would
  find them), first bytes, whole objects and streams, and presigned GETs
  (``generate_presigned_url``) for the workers;
* how the workers' GETs connect (`transport_of`): the signing client's
  certificate checks, proxies, client certificate and timeouts;
* the workers' reads (`read_range`): one GET of a presigned URL with a
  ``Range`` header, answering the bytes and the object's size
  (``Content-Range``).  Without a proxy or client certificate it goes on a
  connection this process keeps per thread (a forked worker starts with
  none) and may be sent ahead (`send_ahead`), so that the store answers it
  while the worker counts the range before; otherwise botocore's own HTTP
  session sends it.  This part imports nothing of botocore.

It never fails a run and never answers differently: anything it is not
given and any answer other than the expected success give None, and the
caller does the same the usual way, through s3fs, whose answer or one-line
error is the one that counts.  So a denied request, a missing object or an
empty prefix costs one extra request, never a different table or message.
A presigned URL carries a signature: nothing here puts one in a message.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import json
import os
import re
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

# http.client (with ssl and email: some 20 ms) is imported by the functions that send a request, not
# here: a count of local files imports this module and never sends one.
if TYPE_CHECKING:
    import http.client

# The storage options s3fs gives its client that a botocore client takes the same way.
_OPTIONS = frozenset(
    {"key", "secret", "token", "anon", "endpoint_url", "profile", "client_kwargs", "config_kwargs"}
)
_S3FS_TIMEOUTS = {"connect_timeout": 5, "read_timeout": 15}  # s3fs's, unless config_kwargs say
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)$")
_PAGE_KEYS = 1000  # keys per page of a listing: S3's most
_PROBE_SECONDS = 900  # the life of the URL of a probe's GET, made and used at once

# Transport: what botocore's URLLib3Session takes, as pairs (see `transport_of`).
Transport = tuple[tuple[str, Any], ...]


def split(url: str) -> tuple[str, str] | None:
    """The bucket and the key of a plain ``s3://bucket/key`` URL (the key without trailing slashes,
    as s3fs takes it), or None for anything else."""
    if not url.startswith("s3://"):
        return None
    bucket, _, key = url[len("s3://") :].partition("/")
    key = key.rstrip("/")
    if not _BUCKET.match(bucket) or ".." in bucket or "?" in key or "//" in key or key.startswith("/"):
        return None
    return bucket, key


class Found(NamedTuple):
    """What a URL names: one object (``entries`` holds ("", its URL, its size)) or, with ``prefix``,
    the objects under it ((path under the prefix, URL, size), ...); ``head``: the object's first
    bytes, when finding it read them."""

    prefix: bool
    entries: list[tuple[str, str, int | None]]
    head: bytes | None = None


# The parent's client ----------------------------------------------------------------------------


_CLIENTS: dict[str, Client | None] = {}  # this process's clients (or None: s3fs's), by storage options
_CLIENTS_LOCK = [threading.Lock()]


def clear_clients() -> None:
    """Forget this process's clients (they were made for the environment of their time); a forked
    worker does, so as not to share the parent's connections (nor a lock held at the fork)."""
    _CLIENTS_LOCK[0] = threading.Lock()
    _CLIENTS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=clear_clients)


def client_for(options: Mapping[str, Any]) -> Client | None:
    """This process's `Client` for the storage ``options``, made once; None when s3fs must read
    with them (options botocore is not given here, fsspec's settings for S3, no s3fs to say why)."""
    try:
        key = json.dumps(dict(options), sort_keys=True)
    except (TypeError, ValueError):
        return None
    with _CLIENTS_LOCK[0]:
        if key not in _CLIENTS:
            _CLIENTS[key] = _made(options)
        return _CLIENTS[key]


def _made(options: Mapping[str, Any]) -> Client | None:
    if not set(options) <= _OPTIONS or not isinstance(options.get("anon", False), bool):
        return None
    if any(name.startswith("FSSPEC_S3") for name in os.environ) or _fsspec_configured():
        return None
    if importlib.util.find_spec("s3fs") is None or importlib.util.find_spec("botocore") is None:
        return None  # without s3fs, the usual way says what to install
    try:
        with _no_cyclic_collection():
            return Client(_botocore_client(options))
    except Exception:  # a missing profile, a bad setting...: s3fs says what
        return None


@contextlib.contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    """The cyclic garbage collector paused meanwhile (as it was after).

    Importing botocore and making its client allocate some 300,000 objects
    (S3's model and endpoint rules read from JSON, modules, handlers), none of
    them garbage; they set off the collector over and over, once across the
    whole heap (every module the run had imported).  Paused, the parent's
    import and client took 0.105 s of CPU instead of 0.122 s
    (docs/performance.md); the few cycles left behind are collected later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _botocore_client(options: Mapping[str, Any]) -> Any:
    """A botocore S3 client made as s3fs makes its own from the same options (``set_session``)."""
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config

    client_kwargs = dict(options.get("client_kwargs") or {})
    given = {
        "aws_access_key_id": options.get("key"),
        "aws_secret_access_key": options.get("secret"),
        "aws_session_token": options.get("token"),
        "endpoint_url": options.get("endpoint_url"),
    }
    init = {k: v for k, v in given.items() if v is not None and v != client_kwargs.get(k)}
    # SigV4 for presigned URLs too, which botocore otherwise signs with SigV2 (that S3's newer
    # regions refuse); the rest of its requests are SigV4 anyway.
    config = {**_S3FS_TIMEOUTS, "signature_version": "s3v4", **(options.get("config_kwargs") or {})}
    if options.get("anon"):
        keys = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}
        init = {k: v for k, v in init.items() if k not in keys}
        client_kwargs = {k: v for k, v in client_kwargs.items() if k not in keys}
        config["signature_version"] = UNSIGNED
    session = botocore.session.Session(profile=options.get("profile"))
    session.register_component("data_loader", _s3_loader(session.get_config_variable("data_path")))
    # Timestamps kept as text, as the AWS CLI keeps them: nothing here reads one, and parsing the
    # LastModified of each key took half of a listing's CPU (300 keys: 0.044 s, 0.027 s without).
    session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=str)
    return session.create_client("s3", config=Config(**config), **init, **client_kwargs)


def _s3_loader(data_path: str | None) -> Any:
    """botocore's loader of its models for ``data_path`` (``AWS_DATA_PATH``), as its session makes it,
    but one that knows S3 alone and reads its JSON into plain dicts.

    Making the client took 80-90 ms of CPU, 40 of them in botocore's loader.  Before it reads a
    model, that loader checks that the service is a known one by listing every service it has a
    model for: 440 directories, once per kind of model (the API, the endpoint rules, the
    paginators), 20 ms.  This one looks in S3's directory alone (`list_api_versions`, what that
    listing asks of each directory).  And it parses the JSON files (1.25 MB of endpoints, S3's API)
    into dicts, which keep their order as the OrderedDicts botocore asks for do, in half the time
    (13 ms instead of 25-30).  The same files are read from the same search paths; any other
    service is unknown to it.  The client now takes 50 ms (docs/performance.md).
    """
    import gzip

    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import JSONFileLoader, Loader, create_loader

    class PlainJSONFileLoader(JSONFileLoader):  # type: ignore[misc]
        def load_file(self, file_path: str) -> Any:
            for extension, opener in ((".json", open), (".json.gz", gzip.open)):
                if os.path.isfile(file_path + extension):
                    with opener(file_path + extension, "rb") as f:
                        return json.loads(f.read().decode("utf-8"))
            return None

    class S3Loader(Loader):  # type: ignore[misc]
        def list_available_services(self, type_name: str) -> list[str]:
            try:
                return ["s3"] if self.list_api_versions("s3", type_name) else []
            except DataNotFoundError:
                return []

    paths = create_loader(data_path).search_paths  # AWS_DATA_PATH's, then ~/.aws/models and botocore's
    return S3Loader(
        extra_search_paths=paths, file_loader=PlainJSONFileLoader(), include_default_search_paths=False
    )


def _fsspec_configured() -> bool:
    """Whether fsspec may have settings for S3 in its config directory (any file there)."""
    home = os.path.join(os.path.expanduser("~"), ".config", "fsspec")
    directory = os.environ.get("FSSPEC_CONFIG_DIR") or home
    try:
        return any(os.scandir(directory))
    except OSError:
        return False


def transport_of(http_session: Any) -> Transport | None:
    """How a client's HTTP session (botocore's, or aiobotocore's for s3fs) connects, as botocore's
    ``URLLib3Session`` takes it, certificates resolved to a bundle's path (None: it cannot be read)."""
    try:
        from botocore.httpsession import get_cert_path

        proxies = http_session._proxy_config
        timeout = http_session._timeout  # urllib3's Timeout (botocore) or aiohttp's (aiobotocore)
        connect = getattr(timeout, "sock_connect", None) or getattr(timeout, "connect_timeout", None)
        read = getattr(timeout, "sock_read", None) or getattr(timeout, "read_timeout", None)
        key_file = http_session._key_file
        cert = http_session._cert_file if key_file is None else (http_session._cert_file, key_file)
        return (
            ("verify", get_cert_path(http_session._verify)),
            ("proxies", dict(proxies._proxies or {})),
            ("proxies_config", dict(proxies._proxies_settings or {})),
            ("timeout", (connect, read)),
            ("client_cert", cert),
        )
    except (AttributeError, ImportError):
        return None


class Client:
    """The parent's S3 client (botocore's) and what a run asks of the store through it; every
    method answers None when the answer is not the expected success (the caller asks s3fs)."""

    def __init__(self, client: Any):
        self.client = client
        self.transport = transport_of(getattr(client._endpoint, "http_session", None))
        self.connections = int(client.meta.config.max_pool_connections)  # kept at once

    def __repr__(self) -> str:  # the keys are never shown
        return f"Client({self.client.meta.endpoint_url!r})"

    def find(self, url: str, head_bytes: int = 0) -> Found | None:
        """What ``url`` names, as s3fs would find it, and an object's first ``head_bytes`` bytes with
        its size, in one GET; None when that cannot be said here (a missing object, a denied
        request, an empty prefix...)."""
        where = split(url)
        if where is None:
            return None
        bucket, key = where
        try:
            if key:
                lone = self._object(bucket, key, url, head_bytes)
                if lone is not False:
                    return lone
            prefix = f"{key}/" if key else ""
            listed = [(name, size) for name, size in self._list(bucket, prefix) if not name.endswith("/")]
        except Exception:  # botocore's errors, whatever they are: s3fs says what went wrong
            return None
        if not listed:
            return None  # placeholders of folders are not files
        return Found(True, [(name[len(prefix) :], f"s3://{bucket}/{name}", size) for name, size in listed])

    def _object(self, bucket: str, key: str, url: str, head_bytes: int) -> Found | None | Literal[False]:
        """The object ``key`` (and its first ``head_bytes`` bytes, by a ranged GET), False when there
        is none of that name (it may be a prefix), None when that cannot be said here."""
        from botocore.exceptions import ClientError

        try:
            if head_bytes > 0:
                got = self._first_bytes(bucket, key, head_bytes) or self._ranged(bucket, key, 0, head_bytes)
                if got is not None:
                    return Found(False, [("", url, got[1])], got[0])
            size = self.client.head_object(Bucket=bucket, Key=key)["ContentLength"]
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return False
            raise
        return Found(False, [("", url, size)])

    def _ranged(self, bucket: str, key: str, start: int, stop: int) -> tuple[bytes, int] | None:
        """Bytes [start, stop) of an object and its size (None for an empty object, which has no
        range: its HEAD tells; or for an answer that is not that range)."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=bucket, Key=key, Range=_range(start, stop))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "InvalidRange":
                return None
            raise
        with contextlib.closing(answer["Body"]) as body:
            status = answer["ResponseMetadata"]["HTTPStatusCode"]
            if status != 206:  # a whole object, say: not read
                return None
            return range_of(status, answer.get("ContentRange", ""), body.read(), start, stop)

    def _list(self, bucket: str, prefix: str) -> list[tuple[str, int]]:
        """Every key under ``prefix`` in ``bucket`` and its size (ListObjectsV2, page by page)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": _PAGE_KEYS}
        )
        return [(entry["Key"], entry["Size"]) for page in pages for entry in page.get("Contents", ())]

    def first_bytes(self, bucket: str, key: str, nbytes: int) -> bytes | None:
        """The first ``nbytes`` bytes of a non-empty object, by one ranged GET: of a presigned URL,
        as the workers read (half the CPU of a call of the client's, for the many objects of
        a prefix), or the client's own."""
        if self.transport is not None:
            got = self._first_bytes(bucket, key, nbytes)
        else:
            try:
                got = self._ranged(bucket, key, 0, nbytes)
            except Exception:
                got = None
        return None if got is None else got[0]

    def _first_bytes(self, bucket: str, key: str, nbytes: int) -> tuple[bytes, int] | None:
        """The first ``nbytes`` bytes of an object and its size, by a ranged GET of a presigned URL
        as the workers read (the client's first call costs 4 ms of CPU, this one 0.7); None when
        the answer is not those bytes (a missing or empty object, a bucket in another region:
        the client's own call says what)."""
        if self.transport is None:
            return None
        try:
            return read_range(self.presign(bucket, key, _PROBE_SECONDS), self.transport, 0, nbytes)
        except Exception:
            return None

    def presign(self, bucket: str, key: str, expires: int) -> str:
        """The URL of a GET of ``key`` in ``bucket``, good for ``expires`` seconds (signed in its
        query string, or unsigned when anonymous)."""
        return str(
            self.client.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires
            )
        )

    def get(self, bucket: str, key: str) -> bytes | None:
        """The whole object."""
        try:
            with contextlib.closing(self.client.get_object(Bucket=bucket, Key=key)["Body"]) as body:
                return bytes(body.read())
        except Exception:
            return None

    def stream(self, bucket: str, key: str) -> Any:
        """The body of a GET of the whole object, to be read as it comes (`read_into`), or None."""
        try:
            return self.client.get_object(Bucket=bucket, Key=key)["Body"]
        except Exception:
            return None


def read_into(body: Any, buffer: Any) -> int | None:
    """Bytes of a streamed body (`Client.stream`) into ``buffer``: how many (0 at its end), or None
    when the body cannot be read on (a dropped connection, a body cut short), and it is closed."""
    try:
        data = body.read(len(buffer))
    except Exception:
        body.close()
        return None
    buffer[: len(data)] = data
    return len(data)


# The workers' reads -----------------------------------------------------------------------------


_local = threading.local()  # this thread's connections, by (scheme://host:port, TLS), and GETs sent ahead
_generation = [0]  # bumped in a forked child: the parent's connections are not its own
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _generation.__setitem__(0, _generation[0] + 1))
_SENT_AHEAD = 8  # at most this many requests sent ahead of their reading, per thread
_SESSIONS: dict[str, Any] = {}  # this process's botocore HTTP sessions, by their settings
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_SESSIONS.clear)


class _Settings(NamedTuple):
    """What a kept connection is opened with: certificates (a bundle's path, or False: unchecked)
    and a timeout (http.client has one for connecting and reading: the read timeout)."""

    verify: str | bool
    timeout: float


def _plain(transport: Transport) -> _Settings | None:
    """The settings of a transport the standard library's HTTP can serve: no proxy, no client
    certificate (else None: botocore's HTTP session serves it)."""
    settings = dict(transport)
    if settings.get("proxies") or settings.get("client_cert") is not None:
        return None
    connect, read = settings.get("timeout") or (None, None)
    verify = settings.get("verify", True)
    return _Settings(verify if isinstance(verify, str | bool) else True, float(read or connect or 60))


def connections() -> dict[tuple[str, _Settings], http.client.HTTPConnection]:
    """This thread's open connections (a forked process starts with none)."""
    _renew()
    return _local.connections  # type: ignore[no-any-return]


def _sent() -> dict[tuple[str, int, int], http.client.HTTPConnection]:
    """This thread's ranged GETs sent ahead (`send_ahead`), by (URL, start, stop)."""
    _renew()
    return _local.sent  # type: ignore[no-any-return]


def _renew() -> None:
    if getattr(_local, "generation", None) != _generation[0]:
        _local.generation = _generation[0]
        _local.connections = {}
        _local.sent = {}


def _range(start: int, stop: int) -> str:
    """The ``Range`` header of bytes [start, stop)."""
    return f"bytes={start}-{stop - 1}"


def range_of(status: int, content_range: str, body: bytes, start: int, stop: int) -> tuple[bytes, int] | None:
    """The bytes of an answer to a GET of bytes [start, stop) and the object's size, when the answer
    is a 206 with those bytes (or the object's last ones, if it ends before ``stop``); else None."""
    found = _CONTENT_RANGE.match(content_range)
    if status != 206 or found is None or int(found.group(1)) != start:
        return None
    last, size = int(found.group(2)), int(found.group(3))
    if len(body) != last + 1 - start or not (last == stop - 1 or last == size - 1):
        return None
    return body, size


def read_range(href: str, transport: Transport, start: int, stop: int) -> tuple[bytes, int] | None:
    """Bytes [start, stop) of the object a GET of ``href`` (a presigned URL) reads, and its size
    now; None when the answer is not exactly that.  The GET may have been sent ahead."""
    settings = _plain(transport)
    if settings is None:
        return _session_get(href, transport, start, stop)
    answer = _ranged_answer(href, settings, start, stop)
    if answer is None:
        return None
    status, headers, body = answer
    return range_of(status, headers.get("Content-Range", ""), body, start, stop)


def send_ahead(href: str, transport: Transport, start: int, stop: int) -> None:
    """Send now the GET that `read_range` of the same will read: the store answers it meanwhile
    (on a kept connection only: botocore's HTTP session waits for each answer)."""
    settings = _plain(transport)
    sent = _sent()
    if settings is None or (href, start, stop) in sent or len(sent) >= _SENT_AHEAD:
        return
    connection = _send(urllib.parse.urlsplit(href), settings, {"Range": _range(start, stop)})
    if connection is not None:
        sent[href, start, stop] = connection


def _ranged_answer(
    href: str, settings: _Settings, start: int, stop: int
) -> tuple[int, Mapping[str, str], bytes] | None:
    """The answer to a GET of bytes [start, stop) of ``href``: the one sent ahead, else one sent
    now (on a kept connection, retried once on a fresh one when a kept one fails: the server may
    have closed it)."""
    parts = urllib.parse.urlsplit(href)
    ahead = _sent().pop((href, start, stop), None)
    answer = _answer(ahead, parts, settings) if ahead is not None else None
    if answer is not None:
        return answer
    for _attempt in range(2):
        fresh = (_origin_of(parts), settings) not in connections()
        connection = _send(parts, settings, {"Range": _range(start, stop)})
        answer = _answer(connection, parts, settings) if connection is not None else None
        if answer is not None or fresh:
            return answer
    return None


def _origin_of(parts: urllib.parse.SplitResult) -> str:
    return f"{parts.scheme}://{parts.netloc}"


def _send(
    parts: urllib.parse.SplitResult, settings: _Settings, headers: Mapping[str, str]
) -> http.client.HTTPConnection | None:
    """A connection (a kept one, else a new one) on which a GET has been sent; None on failure."""
    import http.client

    connection = connections().pop((_origin_of(parts), settings), None) or _connect(parts, settings)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers=dict(headers))
    except (OSError, http.client.HTTPException):
        connection.close()
        return None
    return connection


def _answer(
    connection: http.client.HTTPConnection, parts: urllib.parse.SplitResult, settings: _Settings
) -> tuple[int, Mapping[str, str], bytes] | None:
    """The answer to the GET sent on ``connection``, which is kept for the next one if it may be."""
    import http.client

    try:
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException):
        connection.close()
        return None
    if response.will_close:
        connection.close()
    else:
        connections()[_origin_of(parts), settings] = connection
    return response.status, response.headers, body  # type: ignore[return-value]


def _connect(parts: urllib.parse.SplitResult, settings: _Settings) -> http.client.HTTPConnection:
    import http.client

    host, port = parts.hostname or "", parts.port
    if parts.scheme == "http":
        return http.client.HTTPConnection(host, port, timeout=settings.timeout)
    return http.client.HTTPSConnection(host, port, timeout=settings.timeout, context=_tls(settings.verify))


def _tls(verify: str | bool) -> Any:
    """A TLS context checking certificates as the signing client does: against its bundle, or not
    at all (``verify`` False)."""
    import ssl

    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)


def _session_get(href: str, transport: Transport, start: int, stop: int) -> tuple[bytes, int] | None:
    """`read_range` through botocore's HTTP session with the transport's settings (proxies, a client
    certificate), made once per process and settings."""
    try:
        from botocore.awsrequest import AWSRequest
        from botocore.httpsession import URLLib3Session

        key = repr(transport)
        session = _SESSIONS.get(key)
        if session is None:
            settings = dict(transport)
            connect, read = settings.pop("timeout")
            session = _SESSIONS[key] = URLLib3Session(timeout=(connect or 60, read or 60), **settings)
        request = AWSRequest("GET", href, headers={"Range": _range(start, stop)})
        response = session.send(request.prepare())
        content_range = response.headers.get("Content-Range", "")
        return range_of(response.status_code, content_range, response.content, start, stop)
    except Exception:
        return None
