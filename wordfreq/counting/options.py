"""`CountOptions`: what is counted, the part of the options model that every worker receives.

Its parts are the stages' own values, each defined by its stage; see
`wordfreq.options` for the model as a whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wordfreq.chunks.conversion import Conversion
from wordfreq.chunks.jsonl import RecordFormat
from wordfreq.chunks.planning import LINE_FEED, Decoding
from wordfreq.counting.filters import Filters
from wordfreq.counting.rowspec import RowSpec
from wordfreq.errors import OptionError
from wordfreq.sources.inputs import Selection
from wordfreq.sources.remote import Storage
from wordfreq.tokenizers import Tokenizer, TokenizerSpec, cut_points_for


@dataclass(frozen=True)
class CountOptions:
    """What is counted: the options every worker needs besides its task."""

    tokenizer: TokenizerSpec = field(default_factory=TokenizerSpec)
    decoding: Decoding = field(default_factory=Decoding)
    records: RecordFormat = field(default_factory=RecordFormat)
    filters: Filters = field(default_factory=Filters)
    selection: Selection = field(default_factory=Selection)
    rows: RowSpec = field(default_factory=RowSpec)
    storage: Storage = field(default_factory=Storage)
    conversion: Conversion = field(default_factory=Conversion)

    def __post_init__(self) -> None:
        if self.rows.doc_unit == "record" and not self.records.active:
            raise OptionError("doc_unit", "a record is a document only in JSON Lines (with a field)")
        part_by = self.rows.part_by
        if part_by is not None and part_by.of_records and not self.records.active:
            raise OptionError("part_by", "a part named by a field is of JSON Lines records (give --field)")

    @property
    def document_unit(self) -> str:
        """What a document is: the unit asked for, else a record in JSON Lines, else a file."""
        return self.rows.doc_unit or ("record" if self.records.active else "file")

    def cut_points(self) -> re.Pattern[str]:
        """Where the inputs may be cut into chunks: after a line feed for JSON Lines, n-grams and line
        documents, else where the tokenizer allows; when converting, only where no conversion crosses
        the cut (`wordfreq.chunks.conversion`), except between records, which are converted one by one."""
        if self.records.active:
            return LINE_FEED
        self.conversion.check()
        return self.conversion.cut_points(self.text_cut_points())

    def text_cut_points(self) -> re.Pattern[str]:
        """Where the text may be cut for the rows counted: after a line feed for n-grams and line
        documents, else where the tokenizer allows."""
        return LINE_FEED if self.rows.by_line else cut_points_for(self.tokenizer)

    def row_maker(self) -> Tokenizer | None:
        """What turns text into rows when it is not the tokenizer of ``tokenizer``: None here; a kind of
        count whose rows are not tokens (`wordfreq.analyses.discovery.HanRunCountOptions`) gives its own."""
        return None
