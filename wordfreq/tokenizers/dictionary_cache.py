"""The on-disk cache of compiled dictionaries: where it lives, its keys, and reading and writing it.

Building the compiled tokenizer's prefix dictionary from a dictionary file
(jieba's ``dict.txt``: 349,046 words, 498,113 keys with their prefixes)
takes 0.12 s, once per run and before any worker can start; reading its
image back (`_jieba.dictionary_from_image`) takes a few milliseconds.  So
the first run with a dictionary stores the image, and later runs read it.

* **Where**: ``$WORDFREQ_CACHE_DIR`` when set (set it to an empty string to
  turn the cache off), else ``$XDG_CACHE_HOME/wordfreq``, else
  ``~/.cache/wordfreq``.
* **Key**: the BLAKE2b digest of the dictionary file's bytes, with the
  image format's version (``_jieba.IMAGE_FORMAT``) and the machine in the
  file name; so an image is
  only ever read back for the very bytes it was built from, by a build of
  the same layout.  ``dictionary_from_image`` also checks the image itself
  (sizes, every link, a checksum) and refuses a damaged or foreign one:
  then the dictionary is built from the file again, and the image rewritten.
* **Writes** go to a temporary file in the cache directory, renamed into
  place: a reader never sees half an image, and two runs writing the same
  image at once both succeed.
* **Failures** never fail a run: a cache directory that cannot be made,
  read or written means building the dictionary as without a cache.

Only dictionaries read from a file are cached (jieba's own and ``--dict``);
one with a user dictionary is jieba's own parsing of it and is built each
time.  `cached_blob` keeps other bytes the same way (jieba.posseg's model,
packed: `wordfreq.tokenizers.jieba_posseg`; finalseg's HMM:
`wordfreq.tokenizers.jieba_compiled`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_ENV = "WORDFREQ_CACHE_DIR"


def cache_dir() -> Path | None:
    """The cache's directory (not made yet, perhaps), or None when the cache is turned off."""
    configured = os.environ.get(_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "wordfreq"


def image_path(data: bytes, directory: Path) -> Path:
    """Where the image of the dictionary built from ``data`` is kept in ``directory``."""
    from wordfreq.tokenizers._jieba import IMAGE_FORMAT  # the layout's version, defined with the layout

    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    return directory / f"jieba-dict-{digest}-{IMAGE_FORMAT}-{platform.machine() or 'any'}.bin"


def cached_dictionary(data: bytes, build: Callable[[bytes], Any], load: Callable[[bytes], Any]) -> Any:
    """The dictionary built from ``data``: ``load`` of its cached image when there is a good one, else
    ``build(data)``, whose ``image()`` is then stored for the next run."""
    directory = cache_dir()
    if directory is None:
        return build(data)
    path = image_path(data, directory)
    with contextlib.suppress(OSError, ValueError):
        return load(path.read_bytes())
    dictionary = build(data)
    with contextlib.suppress(OSError, OverflowError):
        _store(path, dictionary.image())
    return dictionary


def cached_blob(name: str, key: bytes, build: Callable[[], bytes], load: Callable[[bytes], Any]) -> Any:
    """``load`` of the bytes kept in the cache as ``name`` for ``key`` (a digest of what they are made
    from) when they load, else ``load(build())``, whose bytes are then stored for the next run.
    ``load`` raises ValueError for bytes it refuses (a damaged file), which are then built again."""
    directory = cache_dir()
    digest = hashlib.blake2b(key, digest_size=16).hexdigest()
    path = None if directory is None else directory / f"{name}-{digest}-{platform.machine() or 'any'}.bin"
    if path is not None:
        with contextlib.suppress(OSError, ValueError):
            return load(path.read_bytes())
    blob = build()
    found = load(blob)
    if path is not None:
        with contextlib.suppress(OSError):
            _store(path, blob)
    return found


def _store(path: Path, image: bytes) -> None:
    """Write ``image`` to ``path`` atomically; no temporary file is left, whatever happens."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".bin")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(image)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
