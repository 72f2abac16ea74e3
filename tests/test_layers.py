"""The plan of the house: the package's imports run down the stages, never in a circle.

The import graph is read from the source with `ast`: module-level imports,
imports inside functions and ``TYPE_CHECKING`` imports alike, since each is
a dependency whichever line Python happens to run first.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wordfreq"

# The declared order, lowest first: a module may import only from its own
# stage or from one before it.  Each package's docstring says the same in words.
LAYERS = (
    "errors",
    "signals",
    "charclasses",
    "sources",
    "chunks",
    "tokenizers",
    "counting",
    "reduce",
    "workers",
    "tables",
    "options",
    "api",
    "analyses",
    "",  # wordfreq/__init__.py: the public API
    "cli",
    "__main__",
)
MAX_LINES = 700


def _modules() -> dict[str, Path]:
    """Every module of the package by its dotted name: Python sources, and the C extensions' sources
    (which import nothing of the package)."""
    found = {}
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.c")]):
        parts = ("wordfreq", *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(importer: str, node: ast.ImportFrom | ast.Import) -> set[str]:
    """The package's modules that ``node`` (in module ``importer``) imports."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = importer.split(".")
            if MODULES[importer].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join(package + ([base] if base else []))
        submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES]
        if len(submodules) < len(node.names):  # names defined by ``base`` itself: an edge to it
            return _known(importer, [*submodules, base], ancestors=True)
        names = submodules
    return _known(importer, names, ancestors=False)


def _known(importer: str, names: list[str], ancestors: bool) -> set[str]:
    """The package's modules among ``names`` (or the nearest package that holds them).  An ancestor of
    ``importer`` is an edge only when a name is taken from it (``from wordfreq import count``): merely
    importing a submodule runs its packages' ``__init__`` anyway, and that is no dependency."""
    targets = set()
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name.split(".")[0] != "wordfreq" or name == importer:
            continue
        if ancestors or not importer.startswith(name + "."):
            targets.add(name)
    return targets


@functools.cache
def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        graph[module] = set()
        if path.suffix != ".py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[module] |= _resolve(module, node)
    return graph


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_module_has_a_declared_stage() -> None:
    assert {_stage(module) for module in MODULES} <= set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_down_the_stages(module: str) -> None:
    rank = LAYERS.index(_stage(module))
    upward = sorted(t for t in _graph()[module] if LAYERS.index(_stage(t)) > rank)
    assert not upward, (
        f"{module} imports from stages above its own ({_stage(module) or 'wordfreq'}): {upward}"
    )


def test_no_import_circle() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the path being walked, 2 done
    path: list[str] = []

    def walk(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circle = path[path.index(target) :] + [target]
                pytest.fail("import circle: " + " -> ".join(circle))
            if target not in state:
                walk(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module)


def test_the_cli_imports_only_the_public_api() -> None:
    allowed = {"wordfreq", "wordfreq.options", "wordfreq.errors"}
    for module, targets in _graph().items():
        if _stage(module) == "cli":
            deeper = sorted(t for t in targets if t not in allowed and _stage(t) != "cli")
            assert not deeper, f"{module} imports {deeper}: export what it needs from wordfreq/__init__.py"


def test_the_resolver_sees_every_kind_of_import() -> None:
    """A check that can fail: the graph holds a function-level and a TYPE_CHECKING import."""
    graph = _graph()
    assert "wordfreq.errors" in graph["wordfreq.sources.inputs"]
    assert graph["wordfreq.cli"] >= {"wordfreq", "wordfreq.cli.shell"}


@pytest.mark.parametrize("module", sorted(m for m, path in MODULES.items() if path.suffix == ".py"))
def test_no_module_over_700_lines(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines"


def test_the_command_line_starts_without_what_a_count_never_uses() -> None:
    """`wordfreq count` pays at its start for none of the analyses (numpy, the windows' C, discovery's
    SQL), nor for reading URLs or the stop lists' package metadata: each is imported on first use."""
    import subprocess
    import sys

    heavy = (
        "wordfreq.analyses.collocates",
        "wordfreq.analyses.discovery",
        "wordfreq.analyses.kwic",
        "wordfreq.analyses.report",
        "numpy",
        "duckdb",
        "http.client",
        "importlib.metadata",
    )
    probe = f"import sys, wordfreq.cli; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    ).stdout.split()
    assert loaded == []
    import wordfreq

    assert wordfreq.concordance.__module__ == "wordfreq.analyses.kwic"  # and found when asked for
    assert set(wordfreq.__all__) <= set(dir(wordfreq))
