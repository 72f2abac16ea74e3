"""S3 spoken directly, for plain settings: listing, presigned GETs and ranged reads without s3fs.

Importing s3fs and making its client costs a process about 0.35 s of CPU
(aiobotocore, botocore, aiohttp and its SSL context, S3's service model):
more than counting 5 MB of text takes.  When an S3 URL's settings are plain,
this module does what a run asks of the store with the standard library
alone, and s3fs is never imported.  It owns:

* recognising plain settings (`client_for`): storage options among ``key``,
  ``secret``, ``token``, ``anon`` and ``endpoint_url``; keys from the options
  or the environment (``AWS_ACCESS_KEY_ID``...), or none with ``anon``; the
  endpoint from the options, ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``;
  the region from ``AWS_DEFAULT_REGION`` or the profile's ``region``; HTTPS
  checked against ``AWS_CA_BUNDLE`` or certifi's certificates.  Any
  other ``AWS_*`` or proxy variable, any other setting in the profile of the
  AWS config file, fsspec settings for S3, or a URL with anything unusual in
  it (a version, an unusual bucket name) is not plain: s3fs reads it;
* signing a request (`Client.presign`): AWS Signature Version 4 in the query
  string, as botocore's ``S3SigV4QueryAuth`` signs (a test compares them);
* listing (`find`): a GET of the object's first bytes (which tells its size
  too), else ListObjectsV2 under it as a prefix, as s3fs's ``info`` and
  ``find`` would find them;
* reading bytes (`ranged_get`): one GET with a ``Range`` header on a
  connection this process keeps per thread (a forked worker starts with
  none), answering the bytes and the object's size (``Content-Range``); the
  GET may be sent ahead (`send_ranged_get`), so that the store answers it
  while the worker counts the range before.

It never fails a run and never answers differently: anything it does not
recognise and any answer other than the expected success give None, and the
caller does the same the usual way, through s3fs, whose answer or one-line
error is the one that counts.  So a denied request, a missing object, a
wrong region or an empty prefix costs one extra request, never a different
table or message.
"""

from __future__ import annotations

import configparser
import datetime
import hashlib
import hmac
import http.client
import importlib.util
import os
import re
import threading
import urllib.parse
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

_TIMEOUT = 60  # seconds to connect and between bytes, botocore's defaults
_OPTIONS = frozenset({"key", "secret", "token", "anon", "endpoint_url"})
# The AWS variables a plain setting may have: credentials, region, endpoint, where the config files
# are, which profile, and what only changes retries or instance metadata lookups.
_AWS_VARIABLES = frozenset(
    {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",  # botocore does not read it
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",  # keys from the environment come first
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_EC2_METADATA_DISABLED",
        "AWS_MAX_ATTEMPTS",
        "AWS_RETRY_MODE",
        "AWS_SDK_UA_APP_ID",
        "AWS_CA_BUNDLE",  # the certificates HTTPS is checked against, here too
    }
)
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
_PROFILE_KEYS = frozenset({"region", "output"})
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_AWS_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+$")
_REGION = re.compile(r"[A-Za-z0-9_-]+$")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)$")
_S3_XML = "{http://s3.amazonaws.com/doc/2006-03-01/}"
_UNRESERVED = "-_.~"


@dataclass(frozen=True)
class Client:
    """Where S3 is and who asks: a custom endpoint (``scheme://host[:port]``, None for AWS), the
    region requests are signed for, and the keys (None: anonymous, requests are not signed)."""

    endpoint: str | None
    region: str
    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None

    def __repr__(self) -> str:  # the keys are never shown
        return f"Client(endpoint={self.endpoint!r}, region={self.region!r})"

    def base(self, bucket: str) -> tuple[str, str]:
        """``scheme://host[:port]`` and the path prefix of ``bucket``'s objects, as botocore
        addresses them: by path on a custom endpoint, by host on AWS where the name allows."""
        if self.endpoint is not None:
            return self.endpoint, f"/{bucket}"
        domain = "amazonaws.com.cn" if self.region.startswith("cn-") else "amazonaws.com"
        host = f"s3.{self.region}.{domain}"
        return (f"https://{host}", f"/{bucket}") if "." in bucket else (f"https://{bucket}.{host}", "")

    def presign(
        self,
        method: str,
        bucket: str,
        key: str,
        expires: int,
        query: Mapping[str, str] | None = None,
        now: datetime.datetime | None = None,
    ) -> str:
        """The URL of a request ``method`` of ``key`` in ``bucket`` (with ``query``), good for
        ``expires`` seconds from ``now``: signed in its query string (SigV4), or unsigned when
        anonymous."""
        origin, prefix = self.base(bucket)
        path = urllib.parse.quote(f"{prefix}/{key}" if key else prefix or "/", safe="/" + _UNRESERVED)
        params = dict(query or {})
        if self.access_key is not None and self.secret_key is not None:
            when = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
            scope = f"{when[:8]}/{self.region}/s3/aws4_request"
            params.update(
                {
                    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                    "X-Amz-Credential": f"{self.access_key}/{scope}",
                    "X-Amz-Date": when,
                    "X-Amz-Expires": str(expires),
                    "X-Amz-SignedHeaders": "host",
                }
            )
            if self.token:
                params["X-Amz-Security-Token"] = self.token
            canonical = _query(params)
            request = "\n".join(
                [method, path, canonical, f"host:{_host(origin)}\n", "host", "UNSIGNED-PAYLOAD"]
            )
            signed = "\n".join(
                ["AWS4-HMAC-SHA256", when, scope, hashlib.sha256(request.encode()).hexdigest()]
            )
            key_ = f"AWS4{self.secret_key}".encode()
            for part in (when[:8], self.region, "s3", "aws4_request"):
                key_ = hmac.digest(key_, part.encode(), "sha256")
            params["X-Amz-Signature"] = hmac.new(key_, signed.encode(), "sha256").hexdigest()
        text = _query(params)
        return f"{origin}{path}?{text}" if text else f"{origin}{path}"


def _query(params: Mapping[str, str]) -> str:
    quote = urllib.parse.quote
    return "&".join(
        f"{quote(k, safe=_UNRESERVED)}={quote(v, safe=_UNRESERVED)}" for k, v in sorted(params.items())
    )


def _host(origin: str) -> str:
    """The Host header of ``origin``: its host, and its port unless it is the scheme's own."""
    parts = urllib.parse.urlsplit(origin)
    default = 443 if parts.scheme == "https" else 80
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


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


def client_for(options: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> Client | None:
    """The `Client` of plain settings (storage ``options`` and the environment), or None."""
    if not set(options) <= _OPTIONS or importlib.util.find_spec("s3fs") is None:
        return None  # without s3fs, the usual way says what to install
    if any(name.startswith("AWS_") and name not in _AWS_VARIABLES for name in environ):
        return None
    if any(name.upper() in _PROXY_VARIABLES for name in environ) or any(
        name.startswith("FSSPEC_S3") for name in environ
    ):
        return None
    profile = _profile(environ)
    if profile is None or _fsspec_configured(environ):
        return None
    endpoint = (
        options.get("endpoint_url") or environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL")
    )
    if endpoint is not None:
        endpoint = _origin(endpoint)
        if endpoint is None:
            return None
    region = environ.get("AWS_DEFAULT_REGION") or profile.get("region")
    if region is None:
        if endpoint is None:
            return None  # AWS without a region: s3fs finds the bucket's
        region = "us-east-1"  # botocore's for S3 elsewhere
    if not (_AWS_REGION if endpoint is None else _REGION).match(region):
        return None  # AWS's hosts are named after its regions; other stores name theirs freely
    if options.get("anon") is True:
        return Client(endpoint, region)
    if options.get("anon") not in (None, False):
        return None
    if "key" in options or "secret" in options or "token" in options:
        keys = (options.get("key"), options.get("secret"), options.get("token"))
    else:
        token = environ.get("AWS_SESSION_TOKEN") or environ.get("AWS_SECURITY_TOKEN")
        keys = (environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_SECRET_ACCESS_KEY"), token)
    if not all(isinstance(k, str) and k for k in keys[:2]) or not isinstance(keys[2], str | None):
        return None  # keys from elsewhere (a profile, SSO, instance metadata...): botocore finds them
    return Client(endpoint, region, *keys)


def _profile(environ: Mapping[str, str]) -> dict[str, str] | None:
    """The active profile's settings in the AWS config file ({} without one), or None when it says
    more than a region (an endpoint, S3 settings, a role...) or cannot be read as botocore would."""
    path = os.path.expanduser(environ.get("AWS_CONFIG_FILE") or os.path.join("~", ".aws", "config"))
    name = environ.get("AWS_DEFAULT_PROFILE") or environ.get("AWS_PROFILE")
    parser = configparser.RawConfigParser(default_section="\0")
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except FileNotFoundError:
        return None if name else {}
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    sections = [f"profile {name}"] if name and name != "default" else ["default", "profile default"]
    found = [s for s in sections if parser.has_section(s)]
    if not found:
        return None if name and name != "default" else {}
    settings = dict(parser.items(found[0]))
    return settings if set(settings) <= _PROFILE_KEYS else None


def _fsspec_configured(environ: Mapping[str, str]) -> bool:
    """Whether fsspec may have settings for S3 in its config directory (any file there)."""
    directory = environ.get("FSSPEC_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".config", "fsspec")
    try:
        return any(os.scandir(directory))
    except OSError:
        return False


def _origin(endpoint: object) -> str | None:
    """``scheme://host[:port]`` of an endpoint URL with nothing after the host, or None."""
    if not isinstance(endpoint, str):
        return None
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    return f"{parts.scheme}://{parts.netloc}"


# Requests ---------------------------------------------------------------------------------------


_local = threading.local()  # this thread's connections, by scheme://host:port, and requests sent ahead
_generation = [0]  # bumped in a forked child: the parent's connections are not its own
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _generation.__setitem__(0, _generation[0] + 1))
_SENT_AHEAD = 8  # at most this many requests sent ahead of their reading, per thread


def connections() -> dict[str, http.client.HTTPConnection]:
    """This thread's open connections (a forked process starts with none)."""
    _renew()
    return _local.connections  # type: ignore[no-any-return]


def _sent() -> dict[tuple[str, int, int], http.client.HTTPConnection]:
    """This thread's ranged GETs sent ahead (`send_ranged_get`), by (URL, start, stop)."""
    _renew()
    return _local.sent  # type: ignore[no-any-return]


def _renew() -> None:
    if getattr(_local, "generation", None) != _generation[0]:
        _local.generation = _generation[0]
        _local.connections = {}
        _local.sent = {}


def _request(
    url: str, method: str, headers: Mapping[str, str]
) -> tuple[int, Mapping[str, str], bytes] | None:
    """Status, headers and body of one request, on a kept connection (retried once on a fresh one
    when a kept one fails: the server may have closed it); None when it cannot be made."""
    parts = urllib.parse.urlsplit(url)
    kept = connections()
    for _attempt in range(2):
        fresh = _origin_of(parts) not in kept
        connection = _send(parts, method, headers)
        answer = _answer(connection, parts) if connection is not None else None
        if answer is not None or fresh:
            return answer
    return None


def _origin_of(parts: urllib.parse.SplitResult) -> str:
    return f"{parts.scheme}://{parts.netloc}"


def _target(parts: urllib.parse.SplitResult) -> str:
    """What a request line asks for: the path and the query."""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _send(
    parts: urllib.parse.SplitResult, method: str, headers: Mapping[str, str]
) -> http.client.HTTPConnection | None:
    """A connection (a kept one, else a new one) on which a request has been sent; None on failure."""
    connection = connections().pop(_origin_of(parts), None) or _connect(parts)
    try:
        connection.request(method, _target(parts), headers=dict(headers))
    except (OSError, http.client.HTTPException):
        connection.close()
        return None
    return connection


def _answer(
    connection: http.client.HTTPConnection, parts: urllib.parse.SplitResult
) -> tuple[int, Mapping[str, str], bytes] | None:
    """The answer to the request sent on ``connection``, which is kept for the next one if it may be."""
    try:
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException):
        connection.close()
        return None
    if response.will_close:
        connection.close()
    else:
        connections()[_origin_of(parts)] = connection
    return response.status, response.headers, body  # type: ignore[return-value]


def _connect(parts: urllib.parse.SplitResult) -> http.client.HTTPConnection:
    host, port = parts.hostname or "", parts.port
    if parts.scheme == "http":
        return http.client.HTTPConnection(host, port, timeout=_TIMEOUT)
    return http.client.HTTPSConnection(host, port, timeout=_TIMEOUT, context=_tls())


def _tls() -> Any:
    """A TLS context checking certificates as botocore does: against ``AWS_CA_BUNDLE``, else
    certifi's bundle when it is installed, else the system's."""
    import ssl

    bundle = os.environ.get("AWS_CA_BUNDLE")
    if not bundle:
        try:
            import certifi

            bundle = certifi.where()
        except ImportError:
            pass
    return ssl.create_default_context(cafile=bundle or None)


def range_header(start: int, stop: int) -> dict[str, str]:
    """The header of a GET of bytes [start, stop)."""
    return {"Range": f"bytes={start}-{stop - 1}"}


def send_ranged_get(href: str, start: int, stop: int) -> None:
    """Send now the GET that `ranged_get` of the same will read: the store answers it meanwhile."""
    sent = _sent()
    if (href, start, stop) in sent or len(sent) >= _SENT_AHEAD:
        return
    connection = _send(urllib.parse.urlsplit(href), "GET", range_header(start, stop))
    if connection is not None:
        sent[href, start, stop] = connection


def ranged_get(href: str, start: int, stop: int) -> tuple[bytes, int] | None:
    """Bytes [start, stop) of the object a GET of ``href`` reads, and its size now; None when the
    answer is not exactly that.  The GET may have been sent ahead (`send_ranged_get`)."""
    answer = _ranged_answer(href, start, stop)
    return None if answer is None else _range_in(answer, start, stop)


def _ranged_answer(href: str, start: int, stop: int) -> tuple[int, Mapping[str, str], bytes] | None:
    """The answer to a GET of bytes [start, stop) of ``href``: the one sent ahead, else one sent now."""
    ahead = _sent().pop((href, start, stop), None)
    answer = _answer(ahead, urllib.parse.urlsplit(href)) if ahead is not None else None
    return answer if answer is not None else _request(href, "GET", range_header(start, stop))


def _range_in(
    answer: tuple[int, Mapping[str, str], bytes], start: int, stop: int
) -> tuple[bytes, int] | None:
    return range_of(answer[0], answer[1].get("Content-Range", ""), answer[2], start, stop)


def get(href: str) -> bytes | None:
    """The whole object a GET of ``href`` reads (None unless the answer is a 200)."""
    answer = _request(href, "GET", {})
    return answer[2] if answer is not None and answer[0] == 200 else None


def open_get(href: str) -> http.client.HTTPResponse | None:
    """The answer to a GET of ``href``, its body to be read as it comes (`read_into`) on the
    connection, which is the answer's alone; None unless it is a 200."""
    connection = _send(urllib.parse.urlsplit(href), "GET", {})
    if connection is None:
        return None
    try:
        response = connection.getresponse()
    except (OSError, http.client.HTTPException):
        connection.close()
        return None
    if response.status != 200:
        connection.close()
        return None
    return response


def read_into(response: http.client.HTTPResponse, buffer: Any) -> int | None:
    """Bytes of ``response``'s body into ``buffer``: how many (0 at its end), or None when the body
    cannot be read on (a dropped connection, a body cut short), and the response is closed."""
    try:
        return response.readinto(buffer)
    except (OSError, ValueError, http.client.HTTPException):
        response.close()
        return None


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


# Listing ----------------------------------------------------------------------------------------

_SIGNED_SECONDS = 900  # the life of the URL of a listing's request, made and used at once
_PAGE_KEYS = 1000  # keys per page of a listing: S3's most


class Found(NamedTuple):
    """What a URL names: one object (``entries`` holds ("", its URL, its size)) or, with ``prefix``,
    the objects under it ((path under the prefix, URL, size), ...); ``head``: the object's first
    bytes, when finding it read them."""

    prefix: bool
    entries: list[tuple[str, str, int | None]]
    head: bytes | None = None


def find(url: str, client: Client, head_bytes: int = 0) -> Found | None:
    """What ``url`` names, as s3fs would find it, and an object's first ``head_bytes`` bytes with
    its size, in one GET; None when that cannot be said here (a missing object, a denied request, an
    empty prefix...)."""
    where = split(url)
    if where is None:
        return None
    bucket, key = where
    if key:
        lone = _object(client, bucket, key, url, head_bytes)
        if lone is not False:
            return lone
    prefix = f"{key}/" if key else ""
    listed = [(name, size) for name, size in _list(client, bucket, prefix) or () if not name.endswith("/")]
    if not listed:
        return None  # placeholders of folders are not files
    return Found(True, [(name[len(prefix) :], f"s3://{bucket}/{name}", size) for name, size in listed])


_REFUSED: set[tuple[Client, str]] = set()  # (client, bucket): a request refused while listing


def refused(client: Client, bucket: str) -> bool:
    """Whether a request of ``client``'s to ``bucket`` was answered with neither what it asked for
    nor "not found" (the bucket is in another region, a policy...): s3fs then reads it, GETs too."""
    return (client, bucket) in _REFUSED


def _refusal(client: Client, bucket: str, answer: tuple[int, Any, bytes] | None) -> None:
    """Note a refusal (`refused`): an answer, other than "not found", that was not expected."""
    if answer is not None and answer[0] != 404:
        _REFUSED.add((client, bucket))


def _object(
    client: Client, bucket: str, key: str, url: str, head_bytes: int
) -> Found | None | Literal[False]:
    """The object ``key`` (and its first ``head_bytes`` bytes, by a ranged GET), False when there
    is none of that name (it may be a prefix), None when that cannot be said here."""
    if head_bytes > 0:
        answer = _ranged_answer(client.presign("GET", bucket, key, _SIGNED_SECONDS), 0, head_bytes)
        if answer is None or answer[0] == 404:
            return None if answer is None else False
        got = _range_in(answer, 0, head_bytes)
        if got is not None:
            return Found(False, [("", url, got[1])], got[0])
        if answer[0] != 416:  # an empty object has no range: its HEAD tells
            _refusal(client, bucket, answer)
            return None
    answer = _request(client.presign("HEAD", bucket, key, _SIGNED_SECONDS), "HEAD", {})
    if answer is None or answer[0] == 404:
        return None if answer is None else False
    size = answer[1].get("Content-Length", "")
    if answer[0] == 200 and size.isdigit():
        return Found(False, [("", url, int(size))])
    _refusal(client, bucket, answer)
    return None


def _list(client: Client, bucket: str, prefix: str) -> list[tuple[str, int]] | None:
    """Every key under ``prefix`` in ``bucket`` and its size (ListObjectsV2, page by page)."""
    listed: list[tuple[str, int]] = []
    token = None
    while True:
        query = {"list-type": "2", "prefix": prefix, "encoding-type": "url", "max-keys": str(_PAGE_KEYS)}
        if token is not None:
            query["continuation-token"] = token
        answer = _request(client.presign("GET", bucket, "", _SIGNED_SECONDS, query), "GET", {})
        if answer is None or answer[0] != 200:
            _refusal(client, bucket, answer)
            return None
        try:
            page = ElementTree.fromstring(answer[2])
        except ElementTree.ParseError:
            return None
        decode = urllib.parse.unquote_plus if page.findtext(f"{_S3_XML}EncodingType") == "url" else str
        for entry in page.iterfind(f"{_S3_XML}Contents"):
            name, size = entry.findtext(f"{_S3_XML}Key"), entry.findtext(f"{_S3_XML}Size")
            if name is None or size is None or not size.isdigit():
                return None
            listed.append((decode(name), int(size)))
        if page.findtext(f"{_S3_XML}IsTruncated") != "true":
            return listed
        token = page.findtext(f"{_S3_XML}NextContinuationToken")
        if not token:
            return None
