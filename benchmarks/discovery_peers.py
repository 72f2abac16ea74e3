"""The peers of `wordfreq discover`, one per run: ``python discovery_peers.py NAME INPUT OUTPUT``.

Runs in the peers' own environment (``pip install jiagu smoothnlp
harvesttext``), not wordfreq's, and writes the tool's candidates to OUTPUT
one a line, in the tool's own rank order, with the settings the issue
measured: jiagu's ``findword`` (its defaults), smoothnlp's
``extract_phrase`` (its top 5,000) and harvesttext's ``word_discover`` (its
defaults, most frequent first).
"""

from __future__ import annotations

import sys


def jiagu(source: str, output: str) -> list[str]:
    import jiagu

    jiagu.findword(source, output)  # writes 'word<TAB>count' lines, most frequent first
    with open(output, encoding="utf-8") as f:
        return [line.split("\t")[0] for line in f if line.strip()]


def smoothnlp(source: str, output: str) -> list[str]:
    from smoothnlp.algorithm.phrase import extract_phrase

    with open(source, encoding="utf-8") as f:
        lines = [line.strip() for line in f if line.strip()]
    return list(extract_phrase(lines, top_k=5000))


def harvesttext(source: str, output: str) -> list[str]:
    from harvesttext import HarvestText

    with open(source, encoding="utf-8") as f:
        text = f.read()
    found = HarvestText().word_discover(text, sort_by="freq")
    return [str(word) for word in found.index]


PEERS = {"jiagu": jiagu, "smoothnlp": smoothnlp, "harvesttext": harvesttext}

if __name__ == "__main__":
    name, source, output = sys.argv[1:4]
    words = PEERS[name](source, output)
    with open(output, "w", encoding="utf-8") as f:
        f.write("".join(word + "\n" for word in words))
