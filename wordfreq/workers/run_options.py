"""`RunOptions`: how a run goes, the part of the options model that the workers read.

See `wordfreq.options` for the model as a whole: each option is one field,
its default written here once and its value checked here once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from wordfreq.errors import OptionError, require_choice, require_whole
from wordfreq.reduce.runs import MIN_MEMORY
from wordfreq.reduce.spill import physical_memory

ENGINES = ("local", "dask")


START_METHODS = ("fork", "spawn", "forkserver")


@dataclass(frozen=True)
class RunOptions:
    """How a run goes: where and how fast the counting happens, and how much of the table is kept.

    ``workers`` None means the CPUs this process may use; ``chunk_size``
    None, `chunking.CHUNK_SIZE` bytes per task (`chunking.NETWORK_CHUNK_SIZE`
    for an object read by ranges over a network); ``start_method``
    None, the platform's; ``scheduler`` None, a new local Dask cluster;
    ``max_rows`` None, every row; ``memory`` (bytes the counts may hold
    before they are spilled to disk, `wordfreq.reduce.spill`) None, half of this
    machine's memory; ``temp_dir`` None, the platform's temporary directory.
    """

    engine: str = "local"
    workers: int | None = None
    chunk_size: int | None = None
    start_method: str | None = None
    scheduler: str | None = None
    min_count: int = 1
    max_rows: int | None = None
    memory: int | None = None
    temp_dir: str | None = None

    def __post_init__(self) -> None:
        require_choice("engine", self.engine, ENGINES, "engine")
        if self.workers is not None:
            require_whole("workers", self.workers, 1, "the number of workers")
        if self.chunk_size is not None:
            require_whole("chunk_size", self.chunk_size, 1, "the chunk size (bytes)")
        if self.start_method is not None:
            require_choice("start_method", self.start_method, START_METHODS, "start method")
        if self.scheduler is not None and self.engine != "dask":
            raise OptionError("scheduler", "a scheduler address is for the dask engine only")
        require_whole("min_count", self.min_count, 1, "the minimum count")
        if self.max_rows is not None:
            require_whole("max_rows", self.max_rows, 0, "the maximum number of rows")
        if self.memory is not None:
            require_whole("memory", self.memory, 1, "the memory budget (bytes)")
            if self.memory < MIN_MEMORY:
                raise OptionError(
                    "memory",
                    f"a memory budget of {self.memory:,} bytes is less than the {MIN_MEMORY >> 10}K a run "
                    f"needs at least (the read buffers of the merge of spilled counts): give "
                    f"{MIN_MEMORY >> 10}K or more",
                )
        if self.temp_dir is not None and not os.path.isdir(self.temp_dir):
            raise OptionError("temp_dir", f"{self.temp_dir}: not a directory")

    def memory_budget(self) -> int:
        """The memory budget in bytes: ``memory``, else half of this machine's memory (else 4 GiB)."""
        if self.memory is not None:
            return self.memory
        return (physical_memory() or 8 << 30) // 2
