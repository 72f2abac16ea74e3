"""The ``remote`` scenario: counting the corpus from an S3 server on loopback, against counting it from disk.

Starts an S3 server on 127.0.0.1 with its log in the work directory: by
default `plain_s3.py` (files served from disk by ``sendfile``, what a run
costs the server is little more than parsing request headers), or, with
``--s3-server moto``, moto's (``python -m moto.server``, from the ``test``
extra's ``moto[server]``, which reads the whole object for every ranged
GET and so spends CPU in proportion to the object's size times the number
of ranges, on the cores the workers count on).  The (replicated) corpus is
served as one object and as a gzipped one (linked into the plain server's
directory, or uploaded to moto), the AWS variables point at the server
(throwaway keys, ``AWS_ENDPOINT_URL``), and ``wordfreq count`` runs with
``-j N`` on the file, on ``s3://…/corpus.txt`` (the workers read their own
byte ranges) and on ``s3://…/corpus.txt.gz`` (streamed through the parent,
as a compressed file must be), and on the object again through a proxy that
holds each request 25 ms (`latency_proxy.py`: a store some distance away),
with ranges of the default size and of 1 MiB.

For each: wall time and its ratio to the disk run, the CPU of the whole
process tree, the CPU of the parent alone (what planning and merging cost
it: with byte ranges it reads no corpus bytes), the CPU the S3 server (and
the proxy, in its rows) spent meanwhile (they share the machine's cores
with the run), peak memory, and whether the table is byte-identical to the
disk run's.  One machine and loopback: this measures what reading through
S3's protocol (requests, HTTP) costs, and what a fixed wait per request
costs, not a real network's bandwidth.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import note
from report import compare, error_row, input_line, machine_line, md_table, mib
from rows import Row
from runner import RunResult, own_cpu, run_one
from scenarios import median_result

BUCKET = "wordfreq-bench"
LATENCY_SECONDS = 0.025  # the latency proxy's hold on each request: a store in the same region
_START_SECONDS = 30
# --s3-server: which S3 server the scenario starts (see the docstring), and how its table names it.
SERVER_NAMES = {"plain": "plain_s3.py, files by sendfile", "moto": "moto"}


@contextmanager
def s3_server(
    workdir: Path, kind: str, objects: dict[str, Path]
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """An S3 server of ``kind`` (a key of `SERVER_NAMES`) on a free port of 127.0.0.1, its log in ``workdir``,
    serving ``objects`` (key -> file) in `BUCKET`: the process and its URL."""
    log = workdir / f"{kind}-s3-server.log"
    if kind == "plain":
        bucket = workdir / "s3-root" / BUCKET
        shutil.rmtree(bucket.parent, ignore_errors=True)
        bucket.mkdir(parents=True)
        for key, path in objects.items():
            (bucket / key).symlink_to(path.resolve())
        command = [str(Path(__file__).with_name("plain_s3.py")), str(bucket.parent)]
        started = rb"listening on (\d+)"
    else:
        command = ["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"]
        started = rb"Running on http://127\.0\.0\.1:(\d+)"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, *command], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + _START_SECONDS
        while not (found := re.search(started, log.read_bytes())):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the S3 server did not start (is moto[server] installed?); see {log}")
            time.sleep(0.05)
        endpoint = f"http://127.0.0.1:{found.group(1).decode()}"
        if kind == "moto":
            upload(endpoint, objects)
        yield server, endpoint
    finally:
        server.kill()
        server.wait()


@contextmanager
def aws_variables(endpoint: str) -> Iterator[None]:
    """The AWS variables that point every run at ``endpoint``, meanwhile; nothing else is looked up."""
    variables = {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def upload(endpoint: str, objects: dict[str, Path]) -> None:
    """Create the bucket and put each file (key -> path) into it (moto's server)."""
    import boto3

    keys = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=endpoint, **keys)
    client.create_bucket(Bucket=BUCKET)
    for key, path in objects.items():
        client.upload_file(str(path), BUCKET, key)


def gzipped(inp: Path, cache: Path) -> Path:
    """``inp`` gzipped (level 6), cached beside the replicas."""
    target = cache / f"{inp.name}.gz"
    if not target.exists():
        note(f"gzipping {inp.name} ...")
        with open(inp, "rb") as src, gzip.open(target.with_suffix(".tmp"), "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        target.with_suffix(".tmp").replace(target)
    return target


@contextmanager
def latency_proxy(endpoint: str, delay: float) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`latency_proxy.py` in front of ``endpoint``, holding each request ``delay`` seconds: the
    process and its URL."""
    upstream = endpoint.rsplit(":", 1)[1]
    proxy = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("latency_proxy.py")), upstream, str(delay)],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert proxy.stdout is not None
        found = re.match(rb"listening on (\d+)", proxy.stdout.readline())
        if found is None:
            raise RuntimeError("the latency proxy did not start")
        yield proxy, f"http://127.0.0.1:{found.group(1).decode()}"
    finally:
        proxy.kill()
        proxy.wait()


def remote_rows(jobs: int, far: str) -> list[Row]:
    """Disk, S3 by ranges, S3 gzipped, and S3 by ranges through ``far`` (the latency proxy), with
    the ranges of the default size and of the size of local files' chunks."""
    j = ("-j", str(jobs))
    far_away = ("--storage-option", f"endpoint_url={far}", *j)
    url = f"s3://{BUCKET}/corpus.txt"
    return [
        Row(f"disk-j{jobs}", "wordfreq", j),
        Row(f"s3-j{jobs}", "wordfreq", j, source=url),
        Row(f"s3-gz-j{jobs}", "wordfreq", j, source=f"s3://{BUCKET}/corpus.txt.gz"),
        Row(f"s3-far-j{jobs}", "wordfreq", far_away, source=url),
        Row(f"s3-far-1M-j{jobs}", "wordfreq", (*far_away, "--chunk-size", "1M"), source=url),
    ]


def scenario_remote(args: argparse.Namespace, inp: Path, src_digest: str, workdir: Path) -> None:
    """Disk, S3 by byte ranges and S3 gzipped (streamed), ``--repeat`` times each: one table."""
    packed = gzipped(inp, args.cache_dir)
    objects = {"corpus.txt": inp, "corpus.txt.gz": packed}
    note(f"starting the S3 server ({args.s3_server}) with {inp.stat().st_size / 1e6:.0f} MB and its gzip ...")
    with (
        s3_server(workdir, args.s3_server, objects) as (server, endpoint),
        latency_proxy(endpoint, LATENCY_SECONDS) as (proxy, far),
        aws_variables(endpoint),
    ):
        rows = remote_rows(args.jobs, far)
        runs: dict[str, list[RunResult]] = {r.name: [] for r in rows}
        server_cpu: dict[str, list[float]] = {r.name: [] for r in rows}
        note(f"S3 server at {endpoint}")
        for rep in range(args.repeat):
            for row in rows:
                note(f"[{rep + 1}/{args.repeat}] remote: {row.name} ...")
                before = own_cpu(server.pid) + own_cpu(proxy.pid)
                res = run_one(row, inp, workdir, args)
                server_cpu[row.name].append(own_cpu(server.pid) + own_cpu(proxy.pid) - before)
                runs[row.name].append(res)
                note(
                    f"  {res.wall:.2f} s, parent CPU {res.parent_cpu:.2f} s"
                    + (f", FAILED ({res.error})" if res.error else "")
                )
    results = [median_result(runs[r.name]) for r in rows]
    disk = results[0]
    header = ["source", "wall s", "t / disk", "CPU s", "parent CPU s", "server (+ proxy) CPU s", "peak MiB"]
    header += ["procs", "other load", "same table as disk", "error"]
    table = []
    for row, res in zip(rows, results):
        label = row.source or "corpus.txt on disk"
        if "far" in row.name:
            label += f" {LATENCY_SECONDS * 1000:.0f} ms away" + (", 1 MiB ranges" if "1M" in row.name else "")
        if res.error:
            table.append(error_row(label, res.error, len(header)))
            continue
        same = "–" if res is disk or disk.error else compare(disk.out, res.out)
        table.append(
            [
                f"`{row.source}`{label[len(row.source) :]}" if row.source else label,
                f"{res.wall:.2f}",
                f"{res.wall / disk.wall:.2f}×" if not disk.error else "–",
                f"{res.cpu:.1f}",
                f"{res.parent_cpu:.2f}",
                f"{sorted(server_cpu[row.name])[(len(server_cpu[row.name]) - 1) // 2]:.2f}"
                if row.source
                else "–",
                mib(res.peak_bytes),
                str(res.max_procs),
                f"{res.other_load:.2f}",
                same,
                "",
            ]
        )
    reps = f", median of {args.repeat} runs" if args.repeat > 1 else ""
    server_name = SERVER_NAMES[args.s3_server]
    print(f"\n### remote: the corpus from an S3 server on loopback ({server_name}), -j {args.jobs}{reps}\n")
    print(f"{machine_line(args.jobs)}  ")
    print(f"{input_line(inp, args.replicate, src_digest, args.corpus_label)}\n")
    print(md_table(header, table, right={1, 2, 3, 4, 5, 6, 7, 8}))
