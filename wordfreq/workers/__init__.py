"""Stage 6, workers: where and how the counting runs.

Owns every child process: the local pool (`pool`, the one module that
starts, feeds and stops worker processes), the Dask engine (`dask_cluster`,
the one module that touches Dask; `dask_reduce`, the functions its tasks
run for the partitioned reduce, imports only what a task needs of it),
`engines.map_run`, which maps a run's tasks (a concordance's) on the engine
its options name, and `run_options.RunOptions`, the part of the options
model that says how a run goes.  It drives the stages below:
each worker counts its tasks (`wordfreq.counting`) and reduces them
(`wordfreq.reduce`); the parent merges what the workers send.

May import: `wordfreq.reduce` and below.
"""
