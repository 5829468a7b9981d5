"""Sentence boundaries in Swedish and English prose: the units an extractive answer quotes."""

from __future__ import annotations

import re

# A sentence ends at . ! or ? followed by space and a capital, a digit or an opening quote; a blank line
# or a line break before a list item also ends one. Common abbreviations do not end a sentence.
_BOUNDARY = re.compile(
    r"(?<=[.!?])\s+(?=[\"'«(\[]?[A-ZÅÄÖÉ0-9])"
    # A blank line ends a sentence unless a lower-case word follows: that is a page break inside it.
    r"|\n\s*\n(?=\s*[^a-zåäöé\s])"
    r"|\n(?=\s*(?:[-•*–]|\d+[.)])\s)"
)
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:t\.ex|bl\.a|m\.m|d\.v\.s|dvs|s\.k|o\.s\.v|osv|jfr|resp|ca|nr|kap|st|e\.g|i\.e|etc|vs|no|fig)\.)$",
    re.IGNORECASE,
)


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``, shifted by ``offset``, with surrounding space trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _ABBREVIATIONS.search(text[start : match.start()]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        piece = text[a:b]
        stripped = piece.strip()
        if not stripped:
            continue
        a += len(piece) - len(piece.lstrip())
        out.append((a + offset, a + len(stripped) + offset))
    return out
