"""A light S3-compatible server on loopback for the ``remote`` scenario: files on disk, by ``sendfile``.

    python benchmarks/plain_s3.py ROOT

Listens on a free port of 127.0.0.1 (printed as ``listening on PORT``) and
serves each directory of ROOT as a bucket, path-style (``/BUCKET/KEY`` is
``ROOT/BUCKET/KEY``), read only: ``ListObjectsV2``, ``HEAD``, and ``GET`` of
an object, whole or by one byte range (206 with ``Content-Range``, 416
``InvalidRange`` past its end), on HTTP/1.1 connections kept open.

Why not moto, which the tests use: moto holds each object in memory and
reads all of it for every ranged GET, so counting People's Daily ×18 from
it cost moto 2 s of CPU on the two cores the workers count on, and the
benchmark measured moto rather than wordfreq.  Here a GET's body goes from
the page cache to the socket in the kernel (``os.sendfile``); what a
request costs is parsing its header.  Nothing is checked but that a request
is signed (an ``Authorization`` header or a presigned query, SigV4, which
botocore makes): the signatures themselves are the tests' business (moto
checks them), a benchmark only needs an S3 that answers as S3 does.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

_LIST_PAGE = 1000  # keys per ListObjectsV2 page unless max-keys says fewer: S3's most
_XML = "application/xml"


def _error(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message><RequestId>0</RequestId></Error>"
    ).encode()


def _span(wanted: str | None, size: int) -> tuple[int, int, int] | None:
    """The bytes [start, stop) a ``Range`` header asks of an object of ``size`` bytes and the status
    they go with: 206 for one plain range, 200 (the whole object) for no or another range, as S3
    does; None when the range starts past the end (416)."""
    first, _, last = (wanted or "").removeprefix("bytes=").partition("-")
    if not first.isdigit() or (last and (not last.isdigit() or int(last) < int(first))):
        return 0, size, 200
    if int(first) >= size:
        return None
    return int(first), min(size, int(last) + 1) if last else size, 206


class Handler(BaseHTTPRequestHandler):
    """One connection: requests answered in turn, the connection kept unless the client closes it."""

    protocol_version = "HTTP/1.1"
    server_version = "plain-s3"
    root: Path  # set on the class by `main`

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass  # no log line per request: it would cost more than the request

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
        self._object(head=True)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._object(head=False)

    def _object(self, head: bool) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        if "Authorization" not in self.headers and "X-Amz-Signature" not in query:
            return self._send_error(403, "AccessDenied", "Anonymous access is not allowed.", head)
        bucket, _, key = urllib.parse.unquote(parts.path).lstrip("/").partition("/")
        directory = self.root / bucket
        if not bucket or bucket.startswith(".") or not directory.is_dir():
            return self._send_error(404, "NoSuchBucket", "The specified bucket does not exist", head)
        if not key:
            return self._list(directory, query, head)
        path = directory / key
        if ".." in Path(key).parts or not path.is_file():
            return self._send_error(404, "NoSuchKey", "The specified key does not exist.", head)
        with open(path, "rb") as f:
            stat = os.fstat(f.fileno())
            size = stat.st_size
            span = _span(None if head else self.headers.get("Range"), size)
            if span is None:
                return self._send_error(416, "InvalidRange", "The requested range is not satisfiable.", head)
            start, stop, status = span
            self.send_response(status)
            self.send_header("Content-Length", str(stop - start))
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", f'"{stat.st_mtime_ns:x}-{size:x}"')
            self.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{stop - 1}/{size}")
            self.end_headers()
            if not head:
                self.wfile.flush()
                offset = start
                while offset < stop:
                    sent = os.sendfile(self.connection.fileno(), f.fileno(), offset, stop - offset)
                    if sent == 0:
                        break
                    offset += sent

    def _list(self, directory: Path, query: dict[str, list[str]], head: bool) -> None:
        """ListObjectsV2 (``list-type=2``): the keys under ``prefix``, in code-point order, a page at a
        time (``max-keys``, ``continuation-token``: the last key of the page before)."""
        if head or query.get("list-type") != ["2"]:
            return self._send_error(400, "InvalidRequest", "Only ListObjectsV2 is served here.", head)
        prefix = query.get("prefix", [""])[0]
        after = query.get("continuation-token", query.get("start-after", [""]))[0]
        page = min(_LIST_PAGE, int(query.get("max-keys", [_LIST_PAGE])[0]))
        url = query.get("encoding-type") == ["url"]
        keys = sorted(
            key
            for path in directory.rglob("*")
            if path.is_file() and (key := path.relative_to(directory).as_posix()).startswith(prefix)
        )
        keys = [key for key in keys if key > after][: page + 1]
        truncated, keys = len(keys) > page, keys[:page]

        def shown(text: str) -> str:
            return escape(urllib.parse.quote(text, safe="/") if url else text)

        contents = "".join(
            f"<Contents><Key>{shown(key)}</Key><Size>{(directory / key).stat().st_size}</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents>"
            for key in keys
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>{escape(directory.name)}</Name><Prefix>{shown(prefix)}</Prefix>"
            f"<KeyCount>{len(keys)}</KeyCount><MaxKeys>{page}</MaxKeys>"
            + ("<EncodingType>url</EncodingType>" if url else "")
            + f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"
            + (f"<NextContinuationToken>{escape(keys[-1])}</NextContinuationToken>" if truncated else "")
            + f"{contents}</ListBucketResult>"
        ).encode()
        self._send(200, body, _XML, head)

    def _send_error(self, status: int, code: str, message: str, head: bool) -> None:
        self._send(status, _error(code, message), _XML, head)

    def _send(self, status: int, body: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


def main() -> None:
    """Serve ``sys.argv[1]`` until killed."""
    Handler.root = Path(sys.argv[1]).resolve()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
