"""S3 spoken directly (`wordfreq.sources.s3`): the same signatures as botocore's, the same listings as
s3fs's, plain settings told from the rest, and requests sent ahead.

The answers that count (tables, error messages) are tested against the S3
server in test_remote.py, where plain settings now go this way; here, each
piece is held against what it stands in for.
"""

from __future__ import annotations

import datetime
import gzip
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
NOW = datetime.datetime(2026, 11, 29, 21, 30, 5, tzinfo=datetime.timezone.utc)
KEYS = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
EU = ("eu-west-1", *KEYS)
HOST = "http://127.0.0.1:9000"
PLAIN = {
    "AWS_ACCESS_KEY_ID": KEYS[0],
    "AWS_SECRET_ACCESS_KEY": KEYS[1],
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_CONFIG_FILE": os.devnull,
}


# Signatures ------------------------------------------------------------------------------


def botocore_presigned(client: Client, bucket: str, key: str, query: dict[str, str], expires: int) -> str:
    """What botocore's own S3 query signer makes of the same request at the same time."""
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    origin, prefix = client.base(bucket)
    path = urllib.parse.quote(f"{prefix}/{key}" if key else prefix or "/", safe="/-_.~")
    request = AWSRequest("GET", f"{origin}{path}", params=query)
    credentials = Credentials(client.access_key, client.secret_key, client.token)
    signer = botocore.auth.S3SigV4QueryAuth(credentials, "s3", client.region, expires=expires)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.auth, "get_current_datetime", lambda: NOW.replace(tzinfo=None))
        signer.add_auth(request)
    return request.prepare().url


def parsed(url: str) -> tuple[str, str, dict[str, list[str]]]:
    parts = urllib.parse.urlsplit(url)
    return parts.netloc, parts.path, urllib.parse.parse_qs(parts.query)


@pytest.mark.parametrize(
    "key", ["corpus.txt", "news/2026 年/第 1 期.txt", "a+b=c~d!e'(f)*;g,h@i&j$k.txt", "x/y%20z.txt"]
)
@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEJr//////////wEaDH+token="])
@pytest.mark.parametrize(
    ("endpoint", "bucket"),
    [
        (None, "corpora"),
        (None, "my.dotted.bucket"),
        ("http://127.0.0.1:9000", "corpora"),
        ("https://minio.example", "b1"),
    ],
    ids=["aws", "aws-dotted", "endpoint-port", "endpoint-https"],
)
def test_presigned_urls_are_botocores(key: str, token: str | None, endpoint: str | None, bucket: str) -> None:
    client = Client(endpoint, "eu-west-1", *KEYS, token)
    ours = client.presign("GET", bucket, key, 3600, now=NOW)
    assert parsed(ours) == parsed(botocore_presigned(client, bucket, key, {}, 3600))


def test_a_listing_request_is_signed_as_botocore_signs_it() -> None:
    client = Client("http://127.0.0.1:9000", "us-east-1", "AKID", "secret")
    query = {
        "list-type": "2",
        "prefix": "新闻/2026 年/",
        "encoding-type": "url",
        "continuation-token": "a+b/c=",
    }
    ours = client.presign("GET", "corpora", "", 900, query, now=NOW)
    assert parsed(ours) == parsed(botocore_presigned(client, "corpora", "", query, 900))


def test_anonymous_requests_are_not_signed() -> None:
    assert Client(None, "us-east-1").presign("GET", "open-data", "a b.txt", 60) == (
        "https://open-data.s3.us-east-1.amazonaws.com/a%20b.txt"
    )


def test_keys_are_never_shown() -> None:
    assert "secret" not in repr(Client(None, "us-east-1", "AKID", "secret", "token"))


# Plain settings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "environ", "expected"),
    [
        ({}, {}, Client(None, *EU)),
        ({}, {"AWS_SESSION_TOKEN": "t"}, Client(None, *EU, "t")),
        ({"endpoint_url": f"{HOST}/"}, {}, Client(HOST, *EU)),
        ({}, {"AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_S3": HOST}, Client(HOST, *EU)),
        ({"key": "k", "secret": "s"}, {}, Client(None, "eu-west-1", "k", "s")),
        ({"anon": True}, {}, Client(None, "eu-west-1")),
        ({"endpoint_url": HOST}, {"AWS_DEFAULT_REGION": "garage"}, Client(HOST, "garage", *KEYS)),
        ({"endpoint_url": HOST}, {"AWS_DEFAULT_REGION": ""}, Client(HOST, "us-east-1", *KEYS)),
    ],
    ids=["environment", "token", "endpoint", "endpoint-s3", "keys", "anon", "store-region", "no-region"],
)  # fmt: skip
def test_plain_settings_make_a_client(
    options: dict[str, Any], environ: dict[str, str], expected: Client
) -> None:
    assert client_for(options, {**PLAIN, **environ}) == expected


@pytest.mark.parametrize(
    ("options", "environ"),
    [
        ({"requester_pays": True}, {}),
        ({"client_kwargs": {"verify": False}}, {}),
        ({"key": "k"}, {}),
        ({"anon": "yes"}, {}),
        ({}, {"AWS_ACCESS_KEY_ID": ""}),
        ({}, {"AWS_USE_FIPS_ENDPOINT": "true"}),
        ({}, {"AWS_S3_US_EAST_1_REGIONAL_ENDPOINT": "regional"}),
        ({}, {"HTTPS_PROXY": "http://proxy:3128"}),
        ({}, {"https_proxy": "http://proxy:3128"}),
        ({}, {"FSSPEC_S3_ENDPOINT_URL": "http://h:1"}),
        ({}, {"AWS_DEFAULT_REGION": ""}),  # AWS without a region: s3fs finds the bucket's
        ({}, {"AWS_DEFAULT_REGION": "garage"}),  # a name of another store's: AWS has no host of that name
        ({"endpoint_url": "http://h:1"}, {"AWS_DEFAULT_REGION": "not a region"}),
        ({"endpoint_url": "http://h:1/some/path"}, {}),
        ({"endpoint_url": "ftp://h"}, {}),
        ({}, {"AWS_PROFILE": "missing"}),
    ],
)
def test_other_settings_are_left_to_s3fs(options: dict[str, Any], environ: dict[str, str]) -> None:
    assert client_for(options, {**PLAIN, **environ}) is None


@pytest.mark.parametrize(
    ("config", "profile", "plain"),
    [
        ("[default]\nregion = ap-east-1\noutput = json\n", None, True),
        ("[profile work]\nregion = ap-east-1\n", "work", True),
        ("[default]\nregion = ap-east-1\nendpoint_url = http://h:1\n", None, False),
        ("[default]\nregion = ap-east-1\ns3 =\n  addressing_style = virtual\n", None, False),
        ("[profile work]\nrole_arn = arn:aws:iam::1:role/r\n", "work", False),
        ("[default\nregion", None, False),
    ],
    ids=["region", "named-profile", "endpoint", "s3-settings", "role", "unreadable"],
)
def test_the_config_file_may_only_say_where(
    tmp_path: Path, config: str, profile: str | None, plain: bool
) -> None:
    path = tmp_path / "config"
    path.write_text(config, encoding="utf-8")
    environ = {**PLAIN, "AWS_CONFIG_FILE": str(path), "AWS_DEFAULT_REGION": ""}
    if profile is not None:
        environ["AWS_PROFILE"] = profile
    client = client_for({}, environ)
    assert (client is not None and client.region == "ap-east-1") if plain else client is None


def test_without_s3fs_the_usual_way_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "s3fs" else object())
    assert client_for({}, PLAIN) is None


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
    assert s3_direct.find(url, plain_client()) is not None
    direct = listed(url)
    if page == 2 and len(direct) > 2:
        assert sum("list-type=2" in line for line in s3.requests_since(before)) > 2
    monkeypatch.setattr(s3_direct, "client_for", lambda *a, **k: None)
    assert direct == listed(url) and direct


def test_an_objects_size_and_first_bytes_come_in_one_request(s3: S3Server) -> None:
    before = len(s3.log)
    found = s3_direct.find(f"s3://{BUCKET}/tree/a-b.txt", plain_client(), head_bytes=5)
    assert found == s3_direct.Found(False, [("", f"s3://{BUCKET}/tree/a-b.txt", 13)], b"tree/")
    asked = [line for line in s3.requests_since(before) if "a-b.txt" in line]
    assert len(asked) == 1 and '"GET ' in asked[0]


def test_an_empty_object_has_no_first_bytes(s3: S3Server) -> None:
    found = s3_direct.find(f"s3://{BUCKET}/empty.txt", plain_client(), head_bytes=5)
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
    assert s3_direct.find(url, plain_client(), head_bytes) is None


def test_a_bucket_that_refuses_is_read_through_s3fs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bucket in another region answers 301: s3fs lists it (it follows the region), and the GETs
    of its objects are presigned by s3fs's client too, not by a signer that was refused."""
    monkeypatch.setattr(s3_direct, "_REFUSED", set())
    monkeypatch.setattr(s3_direct, "_request", lambda url, method, headers: (301, {}, b""))
    client = client_for({}, PLAIN)
    assert client is not None and not s3_direct.refused(client, "far-bucket")
    assert s3_direct.find("s3://far-bucket/a.txt", client, head_bytes=8192) is None
    assert s3_direct.refused(client, "far-bucket") and not s3_direct.refused(client, "near-bucket")
    monkeypatch.setattr(s3_direct, "client_for", lambda *a, **k: client)
    assert remote._presigner("s3://far-bucket/a.txt", Storage()) is None
    assert remote._presigner("s3://near-bucket/a.txt", Storage()) is not None


def test_a_plain_count_never_imports_s3fs(s3: S3Server, tmp_path: Path) -> None:
    """The parent lists, probes, presigns, streams a gzipped object and reads a user dictionary on
    its own; its workers read by presigned GETs."""
    code = (
        "import sys; from wordfreq import count\n"
        f"result = count(['s3://{BUCKET}/tree/'], workers=2, chunk_size=4, user_dict='s3://{BUCKET}/words.txt')\n"
        "assert result.files == 7 and result.counts['在北京'] == 5000, result\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('s3fs', 'aiobotocore', 'fsspec')]\n"
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
    s3_direct.send_ranged_get(href, 100, 300)
    assert len(http.requests) <= 1  # sent, perhaps not yet seen
    assert s3_direct.ranged_get(href, 100, 300) == ((bytes(range(256)) * 2)[100:300], 16384)
    assert len(http.requests) == 1 and not s3_direct._sent()


def test_a_get_sent_ahead_whose_answer_is_lost_is_sent_again(http: HTTPServer) -> None:
    href = http.url("text.txt")
    s3_direct.send_ranged_get(href, 0, 10)
    s3_direct._sent()[href, 0, 10].close()
    assert s3_direct.ranged_get(href, 0, 10) == (bytes(range(10)), 16384)


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
