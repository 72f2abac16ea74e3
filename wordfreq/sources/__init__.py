"""Stage 1, sources: where the bytes come from.

Owns the inputs a user names: files, directories walked in sorted order,
compressed files, standard input, and objects at URLs (`inputs`); fsspec and
its stores (`remote`); S3 through botocore, its objects read by ranged GETs
of presigned URLs (`s3`).
It hands the next stage `Source` values and byte streams.

May import: `wordfreq.errors`, `wordfreq.signals`, `wordfreq.charclasses`.
"""
