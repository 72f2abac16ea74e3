"""Stage 2, chunks: how the bytes of a source become tasks of text that are safe to cut.

Owns decoding (the BOM rule, the error handlers), the plan of tasks (byte
ranges cut only where the tokenizer's cut points allow, `planning`); JSON
Lines, the records whose field is the text to count (`jsonl`); the
conversion of the text between traditional and simplified Chinese, with the
cut points it leaves safe (`conversion`); and the parts of a corpus that a
count by part keeps apart (`parts`: a file's, a record's), which tasks and
records carry.

May import: `wordfreq.sources` and below.
"""
