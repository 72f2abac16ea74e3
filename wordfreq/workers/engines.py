"""Which engine maps a run's tasks: the local pool or a Dask cluster, as `RunOptions` says.

A map gives one answer per task, in task order (a concordance's), where a
count sums them (`wordfreq.api.count` calls `pool.run_tasks` or
`dask_cluster.run_tasks_on_dask` itself, its reduce being different on
each).  Dask is imported only when its engine runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from wordfreq.chunks.planning import CHUNK_SIZE, Task
from wordfreq.counting.options import CountOptions
from wordfreq.workers.pool import default_workers, map_tasks
from wordfreq.workers.run_options import RunOptions

T = TypeVar("T")


def map_run(
    tasks: Iterable[Task],
    work: Callable[[Task], T],
    count_options: CountOptions,
    run_options: RunOptions,
    progress: Callable[[int], None] | None = None,
) -> Iterator[T]:
    """``work(task)`` for every task of ``tasks``, in task order, on the engine of ``run_options`` with
    its workers, chunk size, start method or scheduler (`pool.map_tasks`,
    `dask_cluster.map_tasks_on_dask`: the same answers)."""
    workers = run_options.workers if run_options.workers is not None else default_workers()
    batch_bytes = run_options.chunk_size or CHUNK_SIZE
    if run_options.engine == "dask":
        from wordfreq.workers.dask_cluster import map_tasks_on_dask

        return map_tasks_on_dask(
            tasks,
            work,
            scheduler=run_options.scheduler,
            workers=workers,
            batch_bytes=batch_bytes,
            progress=progress,
        )
    return map_tasks(
        tasks,
        work,
        count_options,
        workers=workers,
        batch_bytes=batch_bytes,
        start_method=run_options.start_method,
        progress=progress,
    )
