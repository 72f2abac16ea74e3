"""Build script: only the optional C speedup; the metadata is in pyproject.toml.

``wordfreq._speedups`` is optional: where it cannot be compiled (no C compiler),
the install goes on without it and the same loop runs in Python.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("wordfreq._speedups", ["wordfreq/_speedups.c"], optional=True)])
