"""Build script: only the optional C speedup; the metadata is in pyproject.toml.

``wordfreq.tokenizers._speedups`` is optional: where it cannot be compiled
(no C compiler), the install goes on without it and the same loops run in
Python.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("wordfreq.tokenizers._speedups", ["wordfreq/tokenizers/_speedups.c"], optional=True)
    ]
)
