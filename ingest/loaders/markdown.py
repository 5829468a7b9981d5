"""Loader for Markdown (.md): the common block syntax, rendered to plain text.

Covers what documents converted to Markdown use: ATX ("#") and setext headings, bullet and
numbered lists, paragraphs, block quotes, fenced code and pipe tables. Inline markup (emphasis,
links, code spans) is removed so the text reads and cites as plain prose.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import UnreadableDocument
from ingest.loaders.block_writer import BlockWriter
from ingest.loaders.source_file import decode_text, read_document_bytes
from ingest.page_headers import strip_page_headers
from knowledge.types import ExtractedDocument

ATX_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?P<char>=+|-+)[ \t]*$")
THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])[ \t]+(?P<text>\S.*)$")
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
BLOCK_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
TABLE_DELIMITER_ROW = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")

INLINE_REWRITES = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image: keep the alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # link: keep the link text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference link
    (re.compile(r"<((?:https?://|mailto:)[^>]+)>"), r"\1"),  # autolink
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    # Underscores only at word edges: snake_case names and file names keep theirs.
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),  # backslash escapes
)


def load_markdown(path: Path) -> ExtractedDocument:
    text = strip_page_headers(decode_text(path, read_document_bytes(path)))
    document = render_markdown(text.split("\n"))
    if not document.blocks:
        raise UnreadableDocument(path, "is empty (no text)")
    return document


def strip_inline_markup(text: str) -> str:
    for pattern, replacement in INLINE_REWRITES:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def render_markdown(lines: list[str]) -> ExtractedDocument:
    return _MarkdownRenderer(lines).render()


class _MarkdownRenderer:
    """One pass over the lines; a paragraph or list item stays open until something ends it."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._writer = BlockWriter()
        self._paragraph: list[str] = []
        self._item: list[str] = []
        self._item_prefix = ""
        self._after_blank_line = False

    def render(self) -> ExtractedDocument:
        index = 0
        while index < len(self._lines):
            index = self._consume(index)
        self._close_open_block()
        return self._writer.document()

    def _consume(self, index: int) -> int:
        """Handle the line at ``index``; return the index of the next unhandled line."""
        line = BLOCK_QUOTE.sub("", self._lines[index])
        if not line.strip():
            self._close_paragraph()
            self._after_blank_line = True
            return index + 1
        after_blank_line, self._after_blank_line = self._after_blank_line, False

        if fence := FENCE.match(line):
            self._close_open_block()
            return self._consume_fenced_code(index, fence.group("fence"))
        if heading := ATX_HEADING.match(line):
            self._close_open_block()
            level = len(heading.group("hashes"))
            self._writer.add("heading", strip_inline_markup(heading.group("text") or ""), level=level)
            return index + 1
        setext = SETEXT_UNDERLINE.match(line)
        if setext and self._paragraph and not self._item:
            level = 1 if setext.group("char").startswith("=") else 2
            heading_text = strip_inline_markup(" ".join(self._paragraph))
            self._paragraph = []
            self._writer.add("heading", heading_text, level=level)
            return index + 1
        if THEMATIC_BREAK.match(line):
            self._close_open_block()
            return index + 1
        if item := LIST_ITEM.match(line):
            self._close_open_block()
            marker = item.group("marker")
            self._item_prefix = f"{marker} " if marker[0].isdigit() else "- "
            self._item = [item.group("text")]
            return index + 1
        if self._is_table_start(index):
            self._close_open_block()
            return self._consume_table(index)
        if self._item and (not after_blank_line or line[:1] in " \t"):
            # Lazy or indented continuation of the open list item.
            self._item.append(line.strip())
            return index + 1
        self._close_item()
        self._paragraph.append(line.strip())
        return index + 1

    def _consume_fenced_code(self, index: int, fence: str) -> int:
        body: list[str] = []
        index += 1
        while index < len(self._lines) and not self._lines[index].strip().startswith(fence):
            body.append(self._lines[index].rstrip())
            index += 1
        self._writer.add("lines", "\n".join(body))
        return index + 1

    def _is_table_start(self, index: int) -> bool:
        return (
            "|" in self._lines[index]
            and index + 1 < len(self._lines)
            and bool(TABLE_DELIMITER_ROW.match(self._lines[index + 1]))
        )

    def _consume_table(self, index: int) -> int:
        # Each cell becomes a paragraph, as for HTML tables: cells are usually self-contained.
        rows = [self._lines[index]]
        index += 2
        while index < len(self._lines) and "|" in self._lines[index] and self._lines[index].strip():
            rows.append(self._lines[index])
            index += 1
        for row in rows:
            for cell in row.strip().strip("|").split("|"):
                self._writer.add_paragraph(strip_inline_markup(cell))
        return index

    def _close_paragraph(self) -> None:
        if self._paragraph:
            self._writer.add_paragraph(strip_inline_markup(" ".join(self._paragraph)))
            self._paragraph = []

    def _close_item(self) -> None:
        if self._item:
            self._writer.add("list_item", strip_inline_markup(" ".join(self._item)), prefix=self._item_prefix)
            self._item = []

    def _close_open_block(self) -> None:
        self._close_paragraph()
        self._close_item()
