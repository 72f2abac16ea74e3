"""URLs as inputs: the same table as counting the same files from disk, read by the workers themselves.

An S3 server (moto's, a subprocess) and an HTTP server (``http.server``, a
thread) run on loopback for the module; the credentials and the endpoint
come from the AWS variables, as a user's would.  Every count of a URL is
compared, table and figures, with the count of the same bytes on disk, on
the local engine (``-j 1``, ``-j 2``) and on Dask.  The failures run the
real command, each against a server of its own that the test stops, denies
or changes mid-run.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from test_shell import processes_in_session

from wordfreq import count, sorted_rows
from wordfreq.api import CountResult
from wordfreq.chunks.planning import Decoding, RangeTask, load_range, plan_tasks
from wordfreq.cli import cli
from wordfreq.errors import InputError, OptionError
from wordfreq.sources import s3 as s3_direct
from wordfreq.sources.inputs import Source
from wordfreq.sources.remote import MISSING_EXTRA, Storage, direct_reads, is_url
from wordfreq.tokenizers import TokenizerSpec, cut_points_for

from conftest import ROOT, SAMPLE_CORPUS, cli_runner, dask_cluster

pytest.importorskip("s3fs")
pytest.importorskip("moto.server")
from stores import HTTPServer, S3Server, aws_env, put_tree, serving  # noqa: E402 -- needs moto

BUCKET = "corpora"
CHUNK = 600  # bytes: every object of the sample corpus (2 KB) is several ranges


def table(result: CountResult) -> str:
    return "".join(f"{t}\t{n}\n" for t, n in sorted_rows(result.counts))


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files on disk: a tree (with a hidden file, a binary file, a file to exclude and names whose
    order differs between a sort of paths and a walk), a gzipped article, JSON Lines, a larger text."""
    root = tmp_path_factory.mktemp("local")
    tree = root / "tree"
    shutil.copytree(SAMPLE_CORPUS, tree)
    (tree / ".hidden.txt").write_text("隐藏的文件不算", encoding="utf-8")
    (tree / "notes.md").write_text("笔记不算", encoding="utf-8")
    (tree / "blob.txt").write_bytes(b"\0\1\2binary")
    (tree / "a").mkdir()
    (tree / "a" / "x.txt").write_text("我们在北京。", encoding="utf-8")  # walked before a.txt
    (tree / "a.txt").write_text("天安门，北京。", encoding="utf-8")
    texts = sorted(SAMPLE_CORPUS.rglob("*.txt"))
    (root / "article.txt.gz").write_bytes(gzip.compress(texts[0].read_bytes() * 3))
    lines = [line for p in texts for line in p.read_text(encoding="utf-8").split("\n")]
    (root / "records.jsonl").write_text(
        "".join(json.dumps({"meta": {"title": line}}, ensure_ascii=False) + "\n" for line in lines),
        encoding="utf-8",
    )
    (root / "big.txt").write_bytes(b"".join(p.read_bytes() for p in texts) * 2)
    (root / "userdict.txt").write_bytes((ROOT / "data" / "userdict.txt").read_bytes())
    (root / "stop.txt").write_text("的\n了\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def s3(local: Path) -> Iterator[S3Server]:
    """The module's S3 server, holding the files of ``local`` under ``s3://corpora/``; the AWS
    variables point at it for the module."""
    with serving(lambda server: put_tree(server, BUCKET, "", local)) as server:
        yield server


@pytest.fixture(scope="module")
def http(local: Path) -> Iterator[HTTPServer]:
    server = HTTPServer(local)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def scheduler(s3: S3Server) -> Iterator[str]:
    """A Dask cluster of two worker processes, started with the AWS variables set (as a user's)."""
    with dask_cluster() as address:
        yield address


ENGINES = [
    pytest.param({"workers": 1}, id="j1"),
    pytest.param({"workers": 2}, id="j2"),
    pytest.param({"engine": "dask"}, id="dask"),
]


def engine_options(engine: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    if engine.get("engine") == "dask":
        return {**engine, "scheduler": request.getfixturevalue("scheduler")}
    return engine


def assert_same_count(urls: list[str], paths: list[Path], **options: Any) -> CountResult:
    """Count ``urls`` and ``paths`` (the same bytes on disk) alike; the tables and figures must agree."""
    got = count(urls, chunk_size=CHUNK, **options)
    want = count([str(p) for p in paths], chunk_size=CHUNK, **options)
    assert table(got) == table(want) and table(want)
    assert (got.files, got.bytes, got.tokens, got.bad_records) == (
        want.files,
        want.bytes,
        want.tokens,
        want.bad_records,
    )
    return got


# The same table ----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_prefix_of_several_objects(
    s3: S3Server, local: Path, engine: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    options = engine_options(engine, request)
    got = assert_same_count([f"s3://{BUCKET}/tree/"], [local / "tree"], exclude=["*.md"], **options)
    assert got.files == 9  # the seven of the sample corpus, a.txt and a/x.txt


@pytest.mark.parametrize("engine", ENGINES)
def test_a_gzip_object(
    s3: S3Server, local: Path, engine: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    options = engine_options(engine, request)
    assert_same_count([f"s3://{BUCKET}/article.txt.gz"], [local / "article.txt.gz"], **options)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_json_lines_object(
    s3: S3Server, local: Path, engine: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    options = engine_options(engine, request)
    got = assert_same_count(
        [f"s3://{BUCKET}/records.jsonl"], [local / "records.jsonl"], field="meta.title", **options
    )
    assert got.bytes > 4 * CHUNK


@pytest.mark.parametrize("engine", ENGINES)
def test_an_http_file(
    http: HTTPServer, local: Path, engine: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    options = engine_options(engine, request)
    assert_same_count([http.url("big.txt")], [local / "big.txt"], **options)


def test_a_prefix_is_walked_like_the_directory(s3: S3Server, local: Path) -> None:
    seen: dict[str, list[str]] = {}
    warnings: list[str] = []
    for name, root in [("local", str(local / "tree")), ("s3", f"s3://{BUCKET}/tree")]:
        count(
            [root],
            workers=1,
            include=["*.txt", "news/*"],
            on_sources=lambda sources, name=name, root=root: seen.update(
                {name: [s.path[len(root) + 1 :] for s in sources]}
            ),
            warn=warnings.append,
        )
    assert seen["s3"] == seen["local"]
    assert seen["s3"][:2] == ["a/x.txt", "a.txt"] and ".hidden.txt" not in seen["s3"]
    assert "news/qinghe_line.txt" in seen["s3"] and "blob.txt" not in seen["s3"]
    assert warnings == [
        f"skipping {local / 'tree' / 'blob.txt'}: looks like a binary file (NUL bytes)",
        f"skipping s3://{BUCKET}/tree/blob.txt: looks like a binary file (NUL bytes)",
    ]


def test_workers_read_their_ranges_one_request_each(http: HTTPServer, local: Path) -> None:
    """Under ``spawn`` nothing of the parent's reaches the workers: the parent, which may not open a
    range, plans; each worker reads its range and the window past it in one ranged request (and asks
    for the object's size alongside)."""
    url = http.url("big.txt")
    size = (local / "big.txt").stat().st_size
    tasks = list(plan_tasks(Source(url, size, True), Decoding(), cut_points_for(TokenizerSpec()), CHUNK))
    assert len(tasks) > 10 and all(isinstance(t, RangeTask) for t in tasks)
    before = len(http.requests)
    with pytest.MonkeyPatch.context() as patch:

        def no_ranges_in_the_parent(*args: object) -> None:
            raise AssertionError("the parent read a range")

        patch.setattr("wordfreq.sources.remote.open_object_range", no_ranges_in_the_parent)
        got = count([url], workers=2, start_method="spawn", chunk_size=CHUNK)
    assert table(got) == table(count([str(local / "big.txt")], workers=1))
    requests = [
        (method, byte_range) for method, path, byte_range in http.requests[before:] if path == "/big.txt"
    ]
    gets = [byte_range for method, byte_range in requests if method == "GET"]
    assert None not in gets
    assert len(gets) == len(tasks) + 2  # and the parent's probe: the first 8 KiB, the last byte
    assert len(requests) - len(gets) == len(tasks) + 1  # each range's size (and the parent's listing)


def test_an_http_server_without_ranges_is_streamed(local: Path) -> None:
    server = HTTPServer(local, ranges=False)
    try:
        assert_same_count([server.url("big.txt")], [local / "big.txt"], workers=2)
        assert ("GET", "/big.txt", None) in server.requests  # one request for the whole text, streamed
    finally:
        server.stop()


def test_storage_options_reach_the_workers(s3: S3Server) -> None:
    """The environment points at no server; only the options say where it is, to the parent and to
    workers that share no object with it (spawned, or Dask's) and whose environment says otherwise."""
    options = ["--storage-option", f"endpoint_url={s3.endpoint}", "--chunk-size", str(CHUNK), "-q"]
    url = f"s3://{BUCKET}/tree/"
    expected = table(count([url], workers=1, chunk_size=CHUNK))
    for engine in (["-j", "2", "--start-method", "spawn"], ["--engine", "dask", "-j", "1"]):
        done = start("count", url, *options, *engine, env=aws_env(f"http://127.0.0.1:{closed_port()}"))
        stdout, stderr = done.communicate(timeout=120)
        assert done.returncode == 0, stderr
        assert stdout.decode() == expected


def test_urls_wherever_a_path_is_taken(s3: S3Server, http: HTTPServer, local: Path) -> None:
    runner = cli_runner()
    tree = str(local / "tree")
    by_path = runner.invoke(
        cli,
        [
            "count",
            tree,
            "-q",
            "--user-dict",
            str(local / "userdict.txt"),
            "--stopwords",
            str(local / "stop.txt"),
        ],
    )
    by_url = runner.invoke(
        cli,
        [
            "count",
            tree,
            "-q",
            "--user-dict",
            f"s3://{BUCKET}/userdict.txt",
            "--stopwords",
            http.url("stop.txt"),
        ],
    )
    assert by_url.exit_code == 0, by_url.stderr
    assert by_url.stdout == by_path.stdout and "\t" in by_path.stdout
    s3.put(
        BUCKET, {"tables/freq.tsv": by_path.stdout.encode(), "tables/freq.tsv.gz": gzip.compress(b"x\t3\n")}
    )
    (local / "freq.tsv").write_text(by_path.stdout, encoding="utf-8")
    freq = f"s3://{BUCKET}/tables/freq.tsv"
    for local_args, url_args in [
        (["top", str(local / "freq.tsv"), "-n", "5"], ["top", freq, "-n", "5"]),
        (["stats", str(local / "freq.tsv")], ["stats", freq]),
        (["merge", str(local / "freq.tsv"), "-"], ["merge", freq, f"s3://{BUCKET}/tables/freq.tsv.gz"]),
        (["compare", str(local / "freq.tsv"), "-"], ["compare", freq, f"s3://{BUCKET}/tables/freq.tsv.gz"]),
    ]:
        want = runner.invoke(cli, local_args, input=b"x\t3\n")
        got = runner.invoke(cli, url_args)
        assert got.exit_code == 0, got.stderr
        assert got.stdout == want.stdout and want.stdout


@pytest.mark.parametrize("direct", [False, True], ids=["fsspec", "presigned"])
def test_a_changed_object_is_noticed_by_the_worker(s3: S3Server, direct: bool) -> None:
    key = f"changing-{direct}.txt"
    s3.put(BUCKET, {key: "我们在北京。".encode() * 100})
    url = f"s3://{BUCKET}/{key}"
    sign = direct_reads(url, Storage())
    assert sign is not None
    task = RangeTask(url, 600, None, 1800, sign() if direct else None)
    assert load_range(task, Decoding(), cut_points_for(TokenizerSpec()))[0]
    s3.put(BUCKET, {key: "我们在北京。".encode() * 101})
    with pytest.raises(InputError) as error:
        load_range(task, Decoding(), cut_points_for(TokenizerSpec()))
    assert str(error.value) == f"{url}: file changed size while being read (1800 bytes, now 1818)"


# Direct reads: the parent presigns, a worker GETs its range ---------------------------------


def big_tasks(url: str, size: int) -> list[RangeTask]:
    source = Source(url, size, True)
    tasks = list(plan_tasks(source, Decoding(), cut_points_for(TokenizerSpec()), CHUNK, direct=True))
    assert len(tasks) > 10 and all(isinstance(t, RangeTask) for t in tasks)
    return cast("list[RangeTask]", tasks)


def test_workers_read_s3_ranges_by_presigned_gets(s3: S3Server, local: Path) -> None:
    """Spawned workers, which share nothing with the parent, read each range with one GET of a URL
    the parent presigned (its answer gives the object's size too): no HEAD, no S3 client of their own.
    The parent's one GET, of the first bytes (is it text?) and the size, is presigned the same way."""
    url = f"s3://{BUCKET}/big.txt"
    tasks = big_tasks(url, (local / "big.txt").stat().st_size)
    assert all(t.direct is not None and "Signature=" in t.direct.href for t in tasks)
    assert "Signature" not in repr(tasks[0])  # never shown
    before = len(s3.log)
    got = count([url], workers=2, start_method="spawn", chunk_size=CHUNK)
    assert table(got) == table(count([str(local / "big.txt")], workers=1))
    requests = [line for line in s3.requests_since(before) if f" /{BUCKET}/big.txt" in line]
    gets = [line for line in requests if '"GET ' in line]
    assert all('" 206 ' in line for line in gets)
    assert len([line for line in gets if "Signature=" in line]) == len(gets) == len(tasks) + 1
    assert not [line for line in requests if '"HEAD ' in line]


def test_dask_workers_read_s3_with_their_own_settings(s3: S3Server, local: Path, scheduler: str) -> None:
    """A Dask worker may be on another machine, which reaches the store its own way: no presigned GETs."""
    before = len(s3.log)
    got = count([f"s3://{BUCKET}/big.txt"], engine="dask", scheduler=scheduler, chunk_size=CHUNK)
    assert table(got) == table(count([str(local / "big.txt")], workers=1))
    requests = [line for line in s3.requests_since(before) if f" /{BUCKET}/big.txt" in line]
    presigned = [line for line in requests if "Signature=" in line]  # s3fs signs in headers
    assert len(requests) > 10 and presigned == requests[:1]  # the parent's GET of the first bytes alone


def test_a_direct_read_that_fails_is_read_the_usual_way(s3: S3Server, local: Path) -> None:
    url = f"s3://{BUCKET}/big.txt"
    tasks = big_tasks(url, (local / "big.txt").stat().st_size)
    cut = cut_points_for(TokenizerSpec())
    expected = [load_range(dataclasses.replace(t, direct=None), Decoding(), cut) for t in tasks[:3]]
    assert tasks[0].direct is not None
    href = tasks[0].direct.href
    broken = [
        href.replace("/big.txt?", "/no-such-key.txt?"),  # 404
        href.replace(s3.endpoint, f"http://127.0.0.1:{closed_port()}"),  # no server there
    ]
    for bad in broken:
        for task, want in zip(tasks[:3], expected):
            direct = dataclasses.replace(tasks[0].direct, href=bad)
            assert load_range(dataclasses.replace(task, direct=direct), Decoding(), cut) == want


def test_direct_reads_are_for_plain_s3_objects(s3: S3Server, http: HTTPServer) -> None:
    assert direct_reads(http.url("big.txt"), Storage()) is None
    assert direct_reads(f"s3://{BUCKET}/big.txt", Storage(("requester_pays=true",))) is None
    assert direct_reads(f"s3://{BUCKET}/big.txt", Storage()) is not None


def test_direct_reads_connect_as_the_client_that_signed_them(s3: S3Server) -> None:
    """Certificate checks, proxies and timeouts set for the parent's S3 client hold for the GETs too."""
    storage = Storage(
        (
            'client_kwargs={"verify": false}',
            'config_kwargs={"proxies": {"https": "http://127.0.0.1:3128"}, "read_timeout": 7}',
        )
    )
    sign = direct_reads(f"s3://{BUCKET}/big.txt", storage)
    assert sign is not None
    direct = sign()
    assert direct is not None
    assert dict(direct.transport) == {
        "verify": False,
        "proxies": {"https": "http://127.0.0.1:3128"},
        "proxies_config": {},
        "timeout": (5, 7),  # s3fs's connect timeout, the option's read timeout
        "client_cert": None,
    }


def _connections_in_child(found: Any) -> None:
    found.put(len(s3_direct.connections()))


def test_a_forked_worker_opens_connections_of_its_own() -> None:
    """A process that read directly may hold open connections; a worker forked from it starts without."""
    s3_direct.connections()["http://127.0.0.1:1"] = cast(Any, "a connection of the parent's")
    context = multiprocessing.get_context("fork")
    found = context.Queue()
    child = context.Process(target=_connections_in_child, args=(found,))
    child.start()
    assert found.get(timeout=30) == 0
    child.join(timeout=30)
    s3_direct.connections().clear()


# Options and the extra ---------------------------------------------------------------------


def test_urls_are_told_from_paths() -> None:
    assert all(map(is_url, ["s3://b/k", "https://h/x.txt", "gs://b/", "file:///tmp/x", "s3a://b/k"]))
    assert not any(map(is_url, ["corpus/", "-", "C:\\corpus", "./s3://b", "a:b", "x:/y"]))


def test_storage_options_are_key_value_pairs_with_json_values() -> None:
    storage = Storage(("anon=true", "endpoint_url=http://127.0.0.1:9000", "n=5", 'kw={"a": 1}', "n=6"))
    assert storage.kwargs() == {"anon": True, "endpoint_url": "http://127.0.0.1:9000", "n": 6, "kw": {"a": 1}}
    assert Storage(storage.options) == storage == Storage(storage.kwargs())
    with pytest.raises(OptionError) as error:
        Storage(("anon",))
    assert error.value.option == "storage_option" and "expected KEY=VALUE, not 'anon'" in str(error.value)


def test_without_the_extra_one_line_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)  # makes `import fsspec` fail
    monkeypatch.setitem(sys.modules, "fsspec.core", None)
    result = cli_runner().invoke(cli, ["count", "s3://bucket/corpus/"])
    assert result.exit_code == 1
    assert result.stderr == f"wordfreq: error: s3://bucket/corpus/: {MISSING_EXTRA}\n"
    assert "pip install '.[remote]'" in MISSING_EXTRA
    with pytest.raises(OptionError, match="reading URLs needs the 'remote' extra"):
        count(["-"], user_dict="s3://bucket/dict.txt")


# Failures: one line naming the URL, exit 1, no output file, no process left ------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "wordfreq", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )


def assert_fails_cleanly(proc: subprocess.Popen[bytes], out: Path, message: str) -> None:
    """The run ends with exit 1 and the one line ``message``, writes nothing and leaves no process."""
    _, stderr = proc.communicate(timeout=120)
    lines = stderr.decode().splitlines()
    assert proc.returncode == 1, lines
    assert len(lines) == 1 and lines[0].startswith(f"wordfreq: error: {message}"), lines
    assert list(out.parent.iterdir()) == []  # no table, no temporary file
    deadline = time.monotonic() + 10
    while processes_in_session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_in_session(proc.pid) == []


@pytest.fixture
def fresh_s3() -> Iterator[S3Server]:
    server = S3Server()
    yield server
    server.kill()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "s3://no-such-bucket/a.txt",
            "s3://no-such-bucket/a.txt: not found (the specified bucket does not exist)",
        ),
        (f"s3://{BUCKET}/no-such-key.txt", f"s3://{BUCKET}/no-such-key.txt: not found\n"),
        (f"s3://{BUCKET}/no-such-prefix/", f"s3://{BUCKET}/no-such-prefix/: not found\n"),
    ],
    ids=["bucket", "object", "prefix"],
)
def test_a_missing_bucket_or_object(fresh_s3: S3Server, tmp_path: Path, url: str, message: str) -> None:
    fresh_s3.put(BUCKET, {"a.txt": "我们".encode()})
    out = tmp_path / "out" / "freq.tsv"
    out.parent.mkdir()
    proc = start("count", url, "-o", str(out), env=aws_env(fresh_s3.endpoint))
    assert_fails_cleanly(proc, out, message.rstrip("\n"))


def test_a_denied_request(fresh_s3: S3Server, tmp_path: Path) -> None:
    fresh_s3.put(BUCKET, {"a.txt": "我们".encode()})
    fresh_s3.require_credentials()
    out = tmp_path / "out" / "freq.tsv"
    out.parent.mkdir()
    proc = start("count", f"s3://{BUCKET}/a.txt", "-o", str(out), env=aws_env(fresh_s3.endpoint))
    assert_fails_cleanly(proc, out, f"s3://{BUCKET}/a.txt: access denied")


def test_an_http_file_not_found(http: HTTPServer, tmp_path: Path) -> None:
    out = tmp_path / "out" / "freq.tsv"
    out.parent.mkdir()
    proc = start("count", http.url("missing.txt"), "-o", str(out), env={})
    assert_fails_cleanly(proc, out, f"{http.url('missing.txt')}: not found")


def test_an_s3_server_that_goes_away_mid_run(fresh_s3: S3Server, big_text: Path, tmp_path: Path) -> None:
    fresh_s3.put(BUCKET, {"big.txt": big_text.read_bytes()})
    out = tmp_path / "out" / "freq.tsv"
    out.parent.mkdir()
    url = f"s3://{BUCKET}/big.txt"
    # Pure-Python jieba: slow enough that the run is still going when the server goes.
    args = ["count", url, "--tokenizer", "jieba-py", "-j", "2", "--chunk-size", "64K", "-o", str(out)]
    proc = start(*args, env=aws_env(fresh_s3.endpoint))
    ranged_reads = 0

    def a_ranged_read(line: str) -> bool:
        nonlocal ranged_reads
        ranged_reads += f"GET /{BUCKET}/big.txt" in line and '" 206 ' in line
        return ranged_reads >= 4  # the parent's probe, then the workers' ranges

    fresh_s3.wait_for(a_ranged_read, timeout=60)
    fresh_s3.kill()
    assert_fails_cleanly(proc, out, f"{url}: cannot read: Could not connect to the endpoint URL")


# Keys and a session token that appear nowhere else: any of them in a message is a leak.
SECRET_KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIAREDACTIONTEST007",
    "AWS_SECRET_ACCESS_KEY": "redaction/Secret+Key0000000000000000000",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzRedactionSessionToken//////////wEaDH+tok=",
}
PRESIGNED_PARAMETERS = ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "Signature=")


@pytest.mark.parametrize("failure", ["stopped", "denied"])
def test_no_signature_or_credential_in_messages_when_the_store_fails_mid_run(
    fresh_s3: S3Server, big_text: Path, tmp_path: Path, failure: str
) -> None:
    """The workers read by presigned GETs (signature, key ID and session token in their query) when
    the store stops, or starts answering 403: the one line, with ``-v``, shows none of them."""
    fresh_s3.put(BUCKET, {"big.txt": big_text.read_bytes()})
    out = tmp_path / "out" / "freq.tsv"
    out.parent.mkdir()
    url = f"s3://{BUCKET}/big.txt"
    args = ["count", url, "-v", "--tokenizer", "jieba-py", "-j", "2", "--chunk-size", "64K", "-o", str(out)]
    proc = start(*args, env={**aws_env(fresh_s3.endpoint), **SECRET_KEYS})
    presigned_reads = 0

    def presigned_ranges(line: str) -> bool:
        nonlocal presigned_reads
        presigned_reads += f"GET /{BUCKET}/big.txt?" in line and "X-Amz-Security-Token=" in line
        return presigned_reads >= 3

    fresh_s3.wait_for(presigned_ranges, timeout=60)
    if failure == "stopped":
        fresh_s3.kill()
    else:
        fresh_s3.require_credentials()
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    said = stdout.decode() + stderr.decode()
    lines = stderr.decode().splitlines()
    assert lines[0].startswith("wordfreq: engine: ") and len(lines) == 2, lines  # -v's line, the error
    message = {"stopped": "cannot read: Could not connect to the endpoint URL", "denied": "access denied"}
    assert lines[1].startswith(f"wordfreq: error: {url}: {message[failure]}"), lines
    leaked = [s for s in [*SECRET_KEYS.values(), *PRESIGNED_PARAMETERS] if s.lower() in said.lower()]
    assert leaked == [], said


def test_a_failure_that_names_a_presigned_url_is_shown_without_its_secrets() -> None:
    from wordfreq.sources.remote import describe

    href = (
        "http://127.0.0.1:1/corpora/big.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAREDACTIONTEST007%2F20261207%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20261207T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
        "&X-Amz-Security-Token=FwoGZXIvYXdzRedaction&X-Amz-Signature=0123456789abcdef"
    )
    text = describe(ConnectionError(f'Could not connect to the endpoint URL: "{href}"'))
    assert text.startswith(
        'cannot read: Could not connect to the endpoint URL: "http://127.0.0.1:1/corpora/big.txt?'
    )
    assert "AKIA" not in text and "FwoG" not in text and "0123456789abcdef" not in text
    assert "X-Amz-Signature=..." in text and "X-Amz-Expires=3600" in text


@pytest.mark.parametrize("engine", [["-j", "2"], ["--engine", "dask", "-j", "2"]], ids=["local", "dask"])
def test_an_http_server_that_goes_away_mid_run(local: Path, tmp_path: Path, engine: list[str]) -> None:
    server = HTTPServer(local)
    server.after_request = lambda n: server.stop_soon() if n == 8 else None
    out = tmp_path / "out" / "freq.tsv"
    out.parent.mkdir()
    url = server.url("big.txt")
    try:
        proc = start("count", url, "--chunk-size", "1K", *engine, "-o", str(out), env={})
        assert_fails_cleanly(proc, out, f"{url}: cannot read: Cannot connect to host 127.0.0.1")
    finally:
        server.stop()
    assert len(server.requests) >= 8


def test_an_http_object_that_changes_size_mid_run(local: Path, tmp_path: Path) -> None:
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(local / "big.txt", served / "big.txt")
    size = (served / "big.txt").stat().st_size
    server = HTTPServer(served)

    def grow(n: int) -> None:
        if n == 8:
            with open(served / "big.txt", "ab") as f:
                f.write("再加一句。".encode())

    server.after_request = grow
    out = tmp_path / "out" / "freq.tsv"
    out.parent.mkdir()
    url = server.url("big.txt")
    try:
        proc = start("count", url, "--chunk-size", "1K", "-j", "2", "-o", str(out), env={})
        assert_fails_cleanly(
            proc, out, f"{url}: file changed size while being read ({size} bytes, now {size + 15})"
        )
    finally:
        server.stop()
