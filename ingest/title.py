"""A document's title, guessed from its first prominent line."""

from __future__ import annotations

from ingest.line_shapes import SENTENCE_END, is_heading_shaped
from knowledge.types import ExtractedDocument

MAX_TITLE_CHARS = 160


def guess_title(document: ExtractedDocument) -> str | None:
    """The first heading, or the first stand-alone line before the body begins.

    Letterheads and address blocks (multi-line "lines") come first in municipal documents and are
    skipped. A title is often not detected as a heading: it may contain a sentence break
    ("Internationell strategi för Stockholms stad. Remiss från kommunstyrelsen"), or be followed
    directly by the first heading, so that it heads no text. So a single short line that does not
    end a sentence also counts. When the document opens with running text, the first heading
    anywhere is the best guess; None when there is none.
    """
    for block in document.blocks:
        if block.kind == "lines" and not is_heading_shaped(block.text):
            continue
        if block.kind in ("heading", "lines") or (block.kind == "paragraph" and _is_title_line(block.text)):
            return block.text
        break
    return next((block.text for block in document.blocks if block.kind == "heading"), None)


def _is_title_line(text: str) -> bool:
    return "\n" not in text and len(text) <= MAX_TITLE_CHARS and not SENTENCE_END.search(text)
