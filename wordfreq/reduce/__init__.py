"""Stage 5, reduce: how partial counts are summed into one table, exactly, within a memory budget.

Owns the table's order and the sum of two tables (`order`), the operations
on a `PartialCount` that finish, pack and merge it (`partial`), packed
tables that cross processes as two bytes objects (`packs`), spilling to
sorted runs on disk and their merge (`spill`), the sum of whole tables
(`merge`), and the compiled code under all of these (``_tables.c``).

May import: `wordfreq.counting` and below.
"""
