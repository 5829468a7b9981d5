"""Builds an extracted document's text and blocks together, for formats whose text is rendered
from markup (Markdown, HTML, Word) rather than read as it is."""

from __future__ import annotations

from ingest.line_shapes import looks_like_short_lines
from knowledge.types import Block, BlockKind, ExtractedDocument

BLOCK_SEPARATOR = "\n\n"


class BlockWriter:
    """Appends blocks to a growing text, recording where each one starts.

    Blocks are separated by a blank line so the rendered text reads like the .txt exports and
    offsets stay exact by construction.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._blocks: list[Block] = []

    def add(self, kind: BlockKind, text: str, *, level: int = 0, prefix: str = "") -> None:
        """Add a block; ``prefix`` (a list marker such as "- ") goes into the document text only."""
        text = text.strip()
        if not text:
            return
        if self._parts:
            self._append(BLOCK_SEPARATOR)
        self._append(prefix)
        self._blocks.append(Block(kind, text, self._length, level=level if kind == "heading" else 0))
        self._append(text)

    def add_paragraph(self, text: str) -> None:
        """Add running text, or a "lines" block when it is an address or a signature."""
        self.add("lines" if looks_like_short_lines(text) else "paragraph", text)

    def document(self) -> ExtractedDocument:
        return ExtractedDocument(text="".join(self._parts), blocks=tuple(self._blocks))

    def _append(self, piece: str) -> None:
        self._parts.append(piece)
        self._length += len(piece)
