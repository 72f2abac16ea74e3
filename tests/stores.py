"""Servers on loopback for the tests of URL inputs, started and stopped by the tests themselves.

* `S3Server` -- moto's S3 server (``python -m moto.server``, from ``moto[server]``)
  in a subprocess on a free port; its request log is read as it comes, so a
  test can wait for the first ranged read and then kill the server.
* `HTTPServer` -- ``http.server`` in a thread, serving a directory, with byte
  ranges (or without, as ``python -m http.server`` serves), recording every
  request and calling a test's hook after each one.

`aws_env` is the environment that points boto3/s3fs at an `S3Server`:
throwaway keys, no config files and no instance metadata lookups, so
nothing leaves the machine; `serving` starts a server and points the
environment at it for a test module.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_START_SECONDS = 30
_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")
_ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")


def aws_env(endpoint: str | None) -> dict[str, str]:
    """The AWS variables that make boto3 and s3fs use ``endpoint`` (None: leave the endpoint unset)."""
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "2",  # botocore's retries (s3fs retries on its own too): a dead server fails fast
    }
    if endpoint is not None:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


class S3Server:
    """moto's S3 server in a subprocess on 127.0.0.1; ``endpoint`` is its URL."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.log: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read_log, daemon=True).start()
        found = self.wait_for(lambda line: "Running on http://127.0.0.1:" in line)
        port = re.search(r"127\.0\.0\.1:(\d+)", found)
        assert port, found
        self.endpoint = f"http://127.0.0.1:{port.group(1)}"
        import boto3

        self.client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:  # drained always: a full pipe would stall the server
            with self._changed:
                self.log.append(_ANSI_STYLE.sub("", line))  # werkzeug colours lines by their status
                self._changed.notify_all()

    def wait_for(self, seen: Callable[[str], bool], timeout: float = _START_SECONDS) -> str:
        """The first line of the server's log for which ``seen`` holds, waiting for it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                line = next((line for line in self.log if seen(line)), None)
                if line is not None:
                    return line
                left = deadline - time.monotonic()
                assert left > 0 and self.process.poll() is None, "".join(self.log[-20:])
                self._changed.wait(min(left, 0.5))

    def requests_since(self, before: int) -> list[str]:
        """The log's lines from line ``before`` on, once every request made so far is in it: a
        last request is made, and its line waited for (the server logs each as it ends)."""
        self.client.list_buckets()
        deadline = time.monotonic() + _START_SECONDS
        while not any('"GET / HTTP' in line for line in self.log[before:]):
            assert time.monotonic() < deadline and self.process.poll() is None, "".join(self.log[-20:])
            time.sleep(0.01)
        lines = self.log[before:]
        last = max(i for i, line in enumerate(lines) if '"GET / HTTP' in line)
        return lines[:last] + lines[last + 1 :]

    def put(self, bucket: str, objects: dict[str, bytes]) -> None:
        """Create ``bucket`` (if need be) holding ``objects`` (key -> bytes)."""
        existing = {b["Name"] for b in self.client.list_buckets()["Buckets"]}
        if bucket not in existing:
            self.client.create_bucket(Bucket=bucket)
        for key, data in objects.items():
            self.client.put_object(Bucket=bucket, Key=key, Body=data)

    def require_credentials(self) -> None:
        """From now on, requests are checked against the server's IAM, which knows no keys: all denied."""
        import urllib.request

        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/reset-auth", b"0", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(request).close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)


@contextlib.contextmanager
def serving(fill: Callable[[S3Server], None]) -> Iterator[S3Server]:
    """An `S3Server` filled by ``fill``, with the AWS variables pointing at it meanwhile.  s3fs's
    clients and wordfreq's botocore clients are forgotten before and after: both are kept by their
    options, not by the endpoint the environment names, and another module's server is gone."""
    import pytest
    import s3fs

    from wordfreq.sources import s3 as s3_direct

    s3fs.S3FileSystem.clear_instance_cache()
    s3_direct.clear_clients()
    server = S3Server()
    try:
        fill(server)
        with pytest.MonkeyPatch.context() as patch:
            for name, value in aws_env(server.endpoint).items():
                patch.setenv(name, value)
            yield server
    finally:
        server.kill()
        s3fs.S3FileSystem.clear_instance_cache()
        s3_direct.clear_clients()


def put_tree(server: S3Server, bucket: str, prefix: str, root: Path) -> None:
    """Upload every file under ``root`` (hidden ones too) to ``bucket`` under ``prefix``."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    server.put(bucket, {prefix + name: data for name, data in files.items()})


class HTTPServer:
    """``http.server`` on 127.0.0.1 in a thread, serving the files under ``root``.

    With ``ranges`` it answers ``Range: bytes=a-b`` with 206 and says
    ``Accept-Ranges: bytes``; without, it sends whole files, as
    ``python -m http.server`` does.  ``requests`` records (method, path,
    Range header or None) of every request; ``after_request``, when set, is
    called with their number after each one is answered.
    """

    def __init__(self, root: Path, ranges: bool = True):
        self.root = root
        self.ranges = ranges
        self.requests: list[tuple[str, str, str | None]] = []
        self.after_request: Callable[[int], None] | None = None
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.stopped = False

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def stop(self) -> None:
        """Stop serving and close the listening socket: later connections are refused."""
        if not self.stopped:
            self.stopped = True
            self.server.shutdown()
            self.server.server_close()

    def stop_soon(self) -> None:
        """`stop`, from a request's thread (a server cannot wait for its own handler)."""
        threading.Thread(target=self.stop, daemon=True).start()

    def _record(self, method: str, path: str, byte_range: str | None) -> int:
        with self._lock:
            self.requests.append((method, path, byte_range))
            return len(self.requests)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                self._answer(body=False)

            def do_GET(self) -> None:
                self._answer(body=True)

            def _answer(self, body: bool) -> None:
                byte_range = self.headers.get("Range")
                n = served._record(self.command, self.path, byte_range)
                path = served.root / self.path.lstrip("/")
                try:
                    data = path.read_bytes()
                except OSError:
                    self.send_error(HTTPStatus.NOT_FOUND)
                else:
                    self._send(data, byte_range if served.ranges else None, body)
                if served.after_request is not None:
                    served.after_request(n)

            def _send(self, data: bytes, byte_range: str | None, body: bool) -> None:
                match = _RANGE.match(byte_range or "")
                if match is None:
                    self.send_response(HTTPStatus.OK)
                    part = data
                else:
                    start = int(match.group(1))
                    end = min(len(data), int(match.group(2)) + 1) if match.group(2) else len(data)
                    part = data[start:end]
                    self.send_response(HTTPStatus.PARTIAL_CONTENT)
                    self.send_header("Content-Range", f"bytes {start}-{max(start, end - 1)}/{len(data)}")
                if served.ranges:
                    self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(part)))
                self.end_headers()
                if body:
                    self.wfile.write(part)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
