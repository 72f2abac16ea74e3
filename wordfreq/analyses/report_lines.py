"""The report's lines in context: the first occurrences of its top words in the corpus, aligned on the node.

`first_lines` reads the corpus once, every word a node of one concordance
(`wordfreq.analyses.kwic.concordance`, in corpus order, no sort), and keeps
the first ``lines`` rows of each word; once every word has them it closes
the run (`KwicResult.close`), which stops the workers, so a page of
frequent words reads only the start of a large corpus.  Memory grows with
words × lines rows, each at most ``2 × width`` characters and its node.
A row is exactly what ``wordfreq kwic --width W`` gives for its word with
the same options: the word's first rows in corpus order
(`tests/test_report_lines.py` checks it).

Each row says which word it is of (`KwicRow.word`: the token as the table
has it, lowercased, ``word/tag``...), so the rows are shared out exactly
whatever the tokenizer, its mode and the filters.

`lines_section` draws them as a concordance: each word's rows in one CSS
grid whose middle column is as wide as its widest node, so the nodes line
up; the left context is right-aligned and clipped on its left, the right
one clipped on its right, so a narrow screen shows less context, never a
wider page.  No script; the section prints, one word never split over two
pages.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Sequence

from wordfreq.analyses.charts import escape
from wordfreq.analyses.kwic import KwicRow, _clean, concordance
from wordfreq.analyses.specs import WHITESPACE, KwicSpec, Nodes, ReportLines
from wordfreq.errors import OptionError
from wordfreq.sources.inputs import display_name

_SURROGATE = re.compile("[\ud800-\udfff]")

LINES_CSS = """
#lines { grid-column: 1 / -1; }
#lines h3 { font-size: 1rem; margin: .8rem 0 .2rem; break-after: avoid; page-break-after: avoid; }
#lines h3 small { color: var(--muted); font-weight: normal; font-size: .8rem; }
.kwic-word { break-inside: avoid; page-break-inside: avoid; }
.kwic { display: grid; grid-template-columns: minmax(0, 1fr) max-content minmax(0, 1fr) 10em;
  column-gap: .4em; font-size: .95rem; line-height: 1.6; }
.kwic > div { display: contents; }
.kwic span { white-space: pre; overflow: hidden; }
.kwic .left { display: flex; justify-content: flex-end; }
.kwic .node { font-weight: 600; background: #fff3b0; padding: 0 .15em; border-radius: 2px; }
.kwic .where { color: var(--muted); font-size: .75rem; align-self: center; padding-left: .4em;
  text-overflow: ellipsis; }
.kwic-none { color: var(--muted); font-size: .85rem; margin: 0; }
@media (max-width: 640px) {
  .kwic { grid-template-columns: minmax(0, 1fr) max-content minmax(0, 1fr); font-size: .9rem; }
  .kwic .where { grid-column: 1 / -1; max-width: none; text-align: center; line-height: 1.2;
    margin-bottom: .3rem; }
}
"""


# --- one pass over the corpus ------------------------------------------------------------------


def first_lines(
    words: Sequence[str], spec: ReportLines, warn: Callable[[str], None] = lambda _: None
) -> dict[str, list[KwicRow]]:
    """The first ``spec.lines`` rows of each of ``words`` in the corpus, in corpus order, read in one pass
    that stops once every word has them; a word not found has none."""
    found: dict[str, list[KwicRow]] = {word: [] for word in words}
    if not found:
        return found
    for word in found:
        if WHITESPACE.search(word):
            raise OptionError("corpus", f"{word!r} is an n-gram: the lines in context are of single tokens")
    result = concordance(
        spec.corpus,
        KwicSpec(Nodes(tuple(found)), spec.width),
        spec.count_options,
        spec.run_options,
        warn=warn,
    )
    missing = len(found)
    with contextlib.closing(result), contextlib.closing(result.rows()) as rows:
        for row in rows:
            kept = found[row.word]
            if len(kept) < spec.lines:
                kept.append(row)
                if len(kept) == spec.lines:
                    missing -= 1
                    if not missing:
                        break
    return found


# --- the section ---------------------------------------------------------------------------------


def lines_section(
    words: Sequence[tuple[str, str]], found: dict[str, list[KwicRow]], spec: ReportLines, of: str
) -> str:
    """The section of the lines of ``words`` (each with the caption its heading adds), ``of`` saying
    which words they are."""
    names = [display_name(path) for path in spec.corpus]
    corpus = ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:2])} and {len(names) - 2} more"
    blocks = [_word_block(word, caption, found.get(word, [])) for word, caption in words]
    first = "The first line" if spec.lines == 1 else f"The first {spec.lines} lines"
    lead = (
        f"{first} of {escape(of)} in <code>{escape(corpus)}</code>, in corpus order, as "
        f"<code>wordfreq kwic --width {spec.width}</code> gives them."
        if words
        else "No words to show in context."
    )
    return f'<section id="lines"><h2>In context</h2><p class="lead">{lead}</p>{"".join(blocks)}</section>'


def _word_block(word: str, caption: str, rows: list[KwicRow]) -> str:
    """One word's heading and its rows (or why it has none)."""
    head = f"<h3>{escape(word)} <small>{escape(caption)}</small></h3>"
    if not rows:
        why = "no occurrence found: was the table counted from this corpus, with these options?"
        return f'<div class="kwic-word">{head}<p class="kwic-none">{why}</p></div>'
    body = "".join(
        "<div>"
        f'<span class="left">{_cell(row.left)}</span>'
        f'<span class="node">{_cell(row.node)}</span>'
        f'<span class="right">{_cell(row.right)}</span>'
        f'<span class="where" title="{_cell(row.source)}:{row.line}">'
        f"{_cell(_base(row.source))}:{row.line}</span>"
        "</div>"
        for row in rows
    )
    return f'<div class="kwic-word">{head}<div class="kwic">{body}</div></div>'


def _base(source: str) -> str:
    """A source as the page names it beside its line: its file's base name (the whole path on hover)."""
    return os.path.basename(source.rstrip("/")) or source


def _cell(text: str) -> str:
    """A cell's text as a TSV row of ``kwic`` has it (control characters as spaces), escaped for HTML; an
    undecodable byte kept as a lone surrogate is shown as U+FFFD."""
    return escape(_SURROGATE.sub("\ufffd", _clean(text)))
