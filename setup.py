"""Build script: only the optional C extensions; the metadata is in pyproject.toml.

``wordfreq.tokenizers._jieba`` (jieba's segmentation, compiled) is optional:
where it cannot be compiled (no C compiler), the install goes on without it
and jieba itself does the work.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("wordfreq.tokenizers._jieba", ["wordfreq/tokenizers/_jieba.c"], optional=True),
    ]
)
