"""S3 through botocore (`wordfreq.sources.s3`): the same listings as s3fs's, the client made from
the storage options s3fs takes, and the workers' GETs sent ahead.

The answers that count (tables, error messages) are tested against the S3
server in test_remote.py, where S3 URLs now go this way; here, each piece is
held against what it stands in for.
"""

from __future__ import annotations

import gc
import gzip
import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wordfreq.chunks.planning import RangeTask, reading_ahead
from wordfreq.sources import remote
from wordfreq.sources import s3 as s3_direct
from wordfreq.sources.remote import DirectRead, Storage
from wordfreq.sources.s3 import Client, client_for

pytest.importorskip("s3fs")
pytest.importorskip("moto.server")
from stores import HTTPServer, S3Server, serving  # noqa: E402 -- needs moto

BUCKET = "direct"
KEYS = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiEXAMPLEKEY"}
# Plain transport settings for the tests' HTTP server: no proxy, no client certificate.
PLAIN_TRANSPORT = (("verify", True), ("proxies", {}), ("timeout", (5, 15)), ("client_cert", None))


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Keys in the environment, no config files, no fsspec settings, and no client kept from before."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "FSSPEC_")):
            monkeypatch.delenv(name)
    for name, value in {
        **KEYS,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "FSSPEC_CONFIG_DIR": str(tmp_path / "no-fsspec-config"),
    }.items():
        monkeypatch.setenv(name, value)
    s3_direct.clear_clients()
    yield
    s3_direct.clear_clients()


# The client --------------------------------------------------------------------------------


def test_anonymous_urls_are_not_signed(environ: None) -> None:
    client = client_for({"anon": True, "endpoint_url": "http://127.0.0.1:9000"})
    assert client is not None
    url = client.presign("open-data", "a b.txt", 60)
    assert url.startswith("http://127.0.0.1:9000/open-data/a%20b.txt") and "Signature" not in url


def test_presigned_urls_are_sigv4_and_carry_the_session_token(environ: None) -> None:
    client = client_for({"key": "AKIDEXAMPLE", "secret": "s3cr3t", "token": "FwoGZXIv+token="})
    assert client is not None
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(client.presign("corpora", "a.txt", 3600)).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["3600"]
    assert query["X-Amz-Security-Token"] == ["FwoGZXIv+token="] and query["X-Amz-Signature"]


@pytest.mark.parametrize("enabled", [True, False], ids=["collector-on", "collector-off"])
def test_making_the_client_leaves_the_garbage_collector_as_it_was(environ: None, enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert client_for({"endpoint_url": "http://127.0.0.1:9000"}) is not None
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_keys_are_never_shown(environ: None) -> None:
    client = client_for({"key": "AKID", "secret": "the-secret", "token": "the-token"})
    assert client is not None and "secret" not in repr(client) and "token" not in repr(client)


def test_the_endpoint_and_region_are_botocores_to_find(
    environ: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No second reading of the AWS configuration: a profile's endpoint and region, in the config
    file, are found by botocore, as s3fs's client would find them."""
    config = tmp_path / "config"
    config.write_text("[profile work]\nregion = ap-east-1\nendpoint_url = http://127.0.0.1:9\n", "utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "work")
    client = client_for({})
    assert client is not None
    assert client.client.meta.region_name == "ap-east-1"
    assert client.presign("b", "k", 60).startswith("http://127.0.0.1:9/b/k?")


def test_the_client_reads_botocores_own_models_from_its_search_paths(
    environ: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader that knows S3 alone reads the models botocore's would, ``AWS_DATA_PATH`` first."""
    from botocore.loaders import create_loader

    ours, botocores = s3_direct._s3_loader(None), create_loader(None)
    assert ours.list_available_services("service-2") == ["s3"]
    for kind in ("service-2", "endpoint-rule-set-1", "paginators-1"):
        model = ours.load_service_model("s3", kind)
        assert json.dumps(model) == json.dumps(botocores.load_service_model("s3", kind))  # in order too
    assert json.dumps(ours.load_data("endpoints")) == json.dumps(botocores.load_data("endpoints"))
    model = botocores.load_service_model("s3", "service-2")
    model["metadata"]["fromDataPath"] = True
    found = tmp_path / "models" / "s3" / model["metadata"]["apiVersion"]
    found.mkdir(parents=True)
    (found / "service-2.json").write_text(json.dumps(model), encoding="utf-8")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models"))
    client = client_for({})
    assert client is not None and client.client.meta.service_model.metadata.get("fromDataPath")


def test_one_client_per_process_and_options(environ: None) -> None:
    assert client_for({}) is client_for({}) is not None
    assert client_for({"anon": True}) is not client_for({})


@pytest.mark.parametrize(
    "options",
    [{"requester_pays": True}, {"version_aware": True}, {"anon": "yes"}, {"profile": "missing"}],
)
def test_other_storage_options_are_left_to_s3fs(environ: None, options: dict[str, Any]) -> None:
    assert client_for(options) is None


def test_fsspec_settings_for_s3_are_left_to_s3fs(
    environ: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FSSPEC_S3_ENDPOINT_URL", "http://h:1")
    assert client_for({}) is None
    monkeypatch.delenv("FSSPEC_S3_ENDPOINT_URL")
    s3_direct.clear_clients()  # the decision is the process's, made once
    assert client_for({}) is not None
    s3_direct.clear_clients()
    (tmp_path / "fsspec").mkdir()
    (tmp_path / "fsspec" / "conf.json").write_text('{"s3": {"anon": true}}', encoding="utf-8")
    monkeypatch.setenv("FSSPEC_CONFIG_DIR", str(tmp_path / "fsspec"))
    assert client_for({}) is None


def test_without_s3fs_the_usual_way_says_what_to_install(
    environ: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "s3fs" else object())
    assert client_for({}) is None


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("s3://corpora/a/b.txt", ("corpora", "a/b.txt")),
        ("s3://corpora/prefix/", ("corpora", "prefix")),
        ("s3://corpora", ("corpora", "")),
        ("s3://Corpora/a.txt", None),
        ("s3://corpora/a.txt?versionId=3", None),
        ("s3://corpora/a//b.txt", None),
        ("s3a://corpora/a.txt", None),
        ("https://corpora/a.txt", None),
    ],
)
def test_urls_that_are_plain(url: str, where: tuple[str, str] | None) -> None:
    assert s3_direct.split(url) == where


# Listings, against s3fs's, on the S3 server ---------------------------------------------------


USER_WORD = "在北京 100000000\n".encode()  # a user dictionary's word, read from the store
PACKED = "我们在北京。天安门，北京。\n".encode() * 5000  # 185 KB: read in many pieces
KEYS_PUT = [
    "tree/a.txt",
    "tree/a/x.txt",
    "tree/a-b.txt",
    "tree/.hidden/y.txt",
    "tree/empty-dir/",
    "tree/新闻 2026/第一期.txt",
    "tree/plus+and space.txt",
    "tree/deep/er/z.txt",
    "tree.txt",
    "treehouse/elsewhere.txt",
    "single.txt",
]


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    """The module's S3 server: a tree whose walk and listing differ in order, with a hidden folder,
    a folder's placeholder, names to escape, and neighbours of the prefix that are not under it."""

    def fill(server: S3Server) -> None:
        server.put(BUCKET, {key: b"" if key.endswith("/") else f"{key}\n".encode() for key in KEYS_PUT})
        server.put(
            BUCKET, {"tree/packed.txt.gz": gzip.compress(PACKED), "words.txt": USER_WORD, "empty.txt": b""}
        )

    with serving(fill) as server:
        yield server


def plain_client() -> Client:
    client = client_for({})
    assert client is not None
    return client


def listed(url: str) -> list[tuple[str, int | None]]:
    found = remote.list_objects(url, Storage(), lambda relative: True, head_bytes=8192)
    return [(o.url, o.size) for o in found]


@pytest.mark.parametrize(
    "url",
    [f"s3://{BUCKET}/tree", f"s3://{BUCKET}/tree/", f"s3://{BUCKET}/single.txt", f"s3://{BUCKET}/tree/a"],
)
@pytest.mark.parametrize("page", [1000, 2], ids=["one-page", "pages-of-two"])
def test_listings_are_s3fss(s3: S3Server, url: str, page: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(s3_direct, "_PAGE_KEYS", page)
    before = len(s3.log)
    assert plain_client().find(url) is not None
    direct = listed(url)
    if page == 2 and len(direct) > 2:
        assert sum("list-type=2" in line for line in s3.requests_since(before)) > 2
    monkeypatch.setattr(s3_direct, "client_for", lambda *a, **k: None)
    assert direct == listed(url) and direct


def test_an_objects_size_and_first_bytes_come_in_one_request(s3: S3Server) -> None:
    before = len(s3.log)
    found = plain_client().find(f"s3://{BUCKET}/tree/a-b.txt", head_bytes=5)
    assert found == s3_direct.Found(False, [("", f"s3://{BUCKET}/tree/a-b.txt", 13)], b"tree/")
    asked = [line for line in s3.requests_since(before) if "a-b.txt" in line]
    assert len(asked) == 1 and '"GET ' in asked[0]


def test_an_empty_object_has_no_first_bytes(s3: S3Server) -> None:
    found = plain_client().find(f"s3://{BUCKET}/empty.txt", head_bytes=5)
    assert found == s3_direct.Found(False, [("", f"s3://{BUCKET}/empty.txt", 0)])


@pytest.mark.parametrize("head_bytes", [0, 8192], ids=["head", "first-bytes"])
@pytest.mark.parametrize(
    "url",
    [
        f"s3://{BUCKET}/missing.txt",
        f"s3://{BUCKET}/tree/empty-dir",
        "s3://no-such-bucket/a.txt",
        "s3://no-such-bucket",
    ],
)
def test_what_it_cannot_list_is_left_to_s3fs(s3: S3Server, url: str, head_bytes: int) -> None:
    """A missing object or bucket, and a prefix with nothing but a placeholder: s3fs says which."""
    assert plain_client().find(url, head_bytes) is None


def test_a_count_never_imports_s3fs(s3: S3Server, tmp_path: Path) -> None:
    """The parent lists, probes, presigns, streams a gzipped object and reads a user dictionary with
    botocore alone; its workers read by presigned GETs."""
    code = (
        "import sys; from wordfreq import count\n"
        f"result = count(['s3://{BUCKET}/tree/'], workers=2, chunk_size=4, user_dict='s3://{BUCKET}/words.txt')\n"
        "assert result.files == 7 and result.counts['在北京'] == 5000, result\n"
        "heavy = ('s3fs', 'aiobotocore', 'aiohttp', 'fsspec')\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in heavy]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_usual_way_gives_the_same_table(s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    from wordfreq import count

    url = f"s3://{BUCKET}/tree/"
    direct = count([url], workers=2, chunk_size=4)
    monkeypatch.setattr(s3_direct, "client_for", lambda *a, **k: None)
    usual = count([url], workers=2, chunk_size=4)
    assert direct.counts == usual.counts and direct.files == usual.files == 7


def test_a_stream_cut_short_is_read_on_through_s3fs(s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """The GET of a gzipped object fails midway: the rest comes through s3fs, from where it stopped."""
    url = f"s3://{BUCKET}/tree/packed.txt.gz"
    reads = {"direct": 0}
    read_into = s3_direct.read_into

    def failing_on_the_third(response: Any, buffer: Any) -> int | None:
        reads["direct"] += 1
        return None if reads["direct"] == 3 else read_into(response, buffer)

    monkeypatch.setattr(s3_direct, "read_into", failing_on_the_third)
    with remote.open_stream(url, Storage()) as raw, gzip.GzipFile(fileobj=raw) as text:
        assert text.read() == PACKED
    assert reads["direct"] == 3


# Requests sent ahead -----------------------------------------------------------------------------


@pytest.fixture
def http(tmp_path: Path) -> Iterator[HTTPServer]:
    (tmp_path / "text.txt").write_bytes(bytes(range(256)) * 64)
    server = HTTPServer(tmp_path)
    yield server
    server.stop()


def test_a_get_sent_ahead_is_read_later(http: HTTPServer) -> None:
    href = http.url("text.txt")
    s3_direct.send_ahead(href, PLAIN_TRANSPORT, 100, 300)
    assert len(http.requests) <= 1  # sent, perhaps not yet seen
    assert s3_direct.read_range(href, PLAIN_TRANSPORT, 100, 300) == ((bytes(range(256)) * 2)[100:300], 16384)
    assert len(http.requests) == 1 and not s3_direct._sent()


def test_a_get_sent_ahead_whose_answer_is_lost_is_sent_again(http: HTTPServer) -> None:
    href = http.url("text.txt")
    s3_direct.send_ahead(href, PLAIN_TRANSPORT, 0, 10)
    s3_direct._sent()[href, 0, 10].close()
    assert s3_direct.read_range(href, PLAIN_TRANSPORT, 0, 10) == (bytes(range(10)), 16384)


def test_a_get_through_a_proxy_is_botocores_and_not_sent_ahead(http: HTTPServer) -> None:
    """A proxy (or a client certificate) is botocore's HTTP session's to honour: no GET ahead."""
    href = http.url("text.txt")
    proxied = (("verify", True), ("proxies", {"https": "http://127.0.0.1:1"}), ("timeout", (5, 15)))
    s3_direct.send_ahead(href, (*proxied, ("client_cert", None)), 0, 10)
    assert not s3_direct._sent()
    assert s3_direct.read_range(href, (*proxied, ("client_cert", None)), 0, 10) == (bytes(range(10)), 16384)


def test_the_next_tasks_range_is_asked_for_before_a_task_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, int, int]] = []
    monkeypatch.setattr("wordfreq.chunks.planning.send_ahead", lambda d, a, b: asked.append((d.href, a, b)))
    tasks = [
        RangeTask("s3://b/k", start, start + 100, 1000, DirectRead(f"u{start}")) for start in (0, 100, 200)
    ]
    after = [
        RangeTask("s3://b/k", 300, 400, 1000, DirectRead("u300")),
        RangeTask("s3://b/k", 400, None, 1000),
    ]
    seen = []
    for task in reading_ahead(tasks, after):
        seen.append((task.start, list(asked)))
    assert [start for start, _ in seen] == [0, 100, 200]
    assert [len(a) for _, a in seen] == [1, 2, 3]
    assert asked[0][1:] == (100, 1000) and asked[-1][0] == "u300"  # the range and the window after it
