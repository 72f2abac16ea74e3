"""Stage 5, reduce: how partial counts are summed into one table, exactly, within a memory budget.

Owns the table's order and the sum of two tables (`order`), the operations
on a `PartialCount` that finish, pack and merge it (`partial`), packed
tables that cross processes as two bytes objects (`packs`), spilling to
disk under the memory budget (`spill`: the budget, and DuckDB's merge of
document counts), runs of packed rows split by hash into partitions and
merged back in table order (`runs`), the tables of a count by part made
from such a table on disk (`keyed`), the sum of whole tables (`merge`), and
the compiled code under all of these (``_tables.c``, with ``_runs.h`` and
``_parts.h``).

May import: `wordfreq.counting` and below.
"""
