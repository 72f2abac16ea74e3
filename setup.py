"""Build script: only the optional C extensions; the metadata is in pyproject.toml.

All are optional: where they cannot be compiled (no C compiler), the
install goes on without them.  Without ``wordfreq.tokenizers._jieba``
(jieba's segmentation, compiled) jieba itself does the work; without
``wordfreq.reduce._tables`` (sorting and summing tables) or
``wordfreq.analyses._windows`` (the collocates' windows) Python does.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "wordfreq.tokenizers._jieba",
            ["wordfreq/tokenizers/_jieba.c"],
            depends=["wordfreq/tokenizers/_jieba_posseg.c"],
            optional=True,
        ),
        Extension(
            "wordfreq.reduce._tables",
            ["wordfreq/reduce/_tables.c"],
            depends=["wordfreq/reduce/_runs.h", "wordfreq/reduce/_parts.h"],
            optional=True,
        ),
        Extension("wordfreq.analyses._windows", ["wordfreq/analyses/_windows.c"], optional=True),
        Extension("wordfreq.tables._arrow", ["wordfreq/tables/_arrow.c"], optional=True),
    ]
)
