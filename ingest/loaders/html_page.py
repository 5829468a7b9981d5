"""Loader for HTML pages (.html, .htm), with the standard library's parser.

Headings h1–h6, paragraphs, list items and table cells become blocks; navigation, scripts and
styles are left out because they repeat on every page of a site and answer nothing.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from ingest.errors import UnreadableDocument, describe_exception
from ingest.loaders.block_writer import BlockWriter
from ingest.loaders.source_file import decode_text, read_document_bytes
from knowledge.types import BlockKind, ExtractedDocument

IGNORED_ELEMENTS = frozenset({"script", "style", "nav", "noscript", "template", "head", "svg"})
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
# Elements that start a new block: text before and after them is never one paragraph.
BLOCK_ELEMENTS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
HEADING_TAG = re.compile(r"^h([1-6])$")
WHITESPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")


def load_html(path: Path) -> ExtractedDocument:
    text = decode_text(path, read_document_bytes(path))
    try:
        document = render_html(text)
    except Exception as exc:  # the parser is lenient; anything it still raises means broken markup
        raise UnreadableDocument(path, f"is not readable HTML ({describe_exception(exc)})") from exc
    if not document.blocks:
        raise UnreadableDocument(path, "is empty (no text)")
    return document


def render_html(markup: str) -> ExtractedDocument:
    parser = _BlockParser()
    parser.feed(markup)
    parser.close()
    return parser.document()


class _BlockParser(HTMLParser):
    """Collects text into the innermost open block and writes it out when a block boundary comes.

    A block's kind comes from its nearest meaningful ancestor, so ``<li><p>text</p></li>`` is a
    list item and ``<td><p>text</p></td>`` a paragraph.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._writer = BlockWriter()
        self._open: list[str] = []
        self._ignored_depth = 0
        self._buffer: list[str] = []
        self._ordered_list_counters: list[int | None] = []
        self._item_prefix = "- "

    def document(self) -> ExtractedDocument:
        self._flush()
        return self._writer.document()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and "head" in self._open:
            self.handle_endtag("head")  # </head> is optional in HTML
        if tag in IGNORED_ELEMENTS:
            self._ignored_depth += 1
        if tag == "br":
            self._buffer.append("\n")
        if tag in VOID_ELEMENTS:
            if tag in BLOCK_ELEMENTS:
                self._flush()
            return
        if tag in BLOCK_ELEMENTS:
            self._flush()
        if tag in ("ul", "ol"):
            self._ordered_list_counters.append(0 if tag == "ol" else None)
        elif tag == "li":
            self._item_prefix = self._next_item_prefix()
        self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._open:
            return  # a stray end tag: browsers ignore it too
        if tag in BLOCK_ELEMENTS:
            self._flush()
        # Close everything opened inside it: unclosed <p> and <li> are legal HTML.
        while self._open:
            closed = self._open.pop()
            if closed in IGNORED_ELEMENTS:
                self._ignored_depth -= 1
            if closed in ("ul", "ol") and self._ordered_list_counters:
                self._ordered_list_counters.pop()
            if closed == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._ignored_depth:
            return
        # Line breaks in the source are layout, not content, except inside <pre>; <br> adds a real
        # one, so an address written with <br> stays on separate lines.
        self._buffer.append(data if "pre" in self._open else WHITESPACE_RUN.sub(" ", data))

    def _next_item_prefix(self) -> str:
        if self._ordered_list_counters and self._ordered_list_counters[-1] is not None:
            number = self._ordered_list_counters[-1] + 1
            self._ordered_list_counters[-1] = number
            return f"{number}. "
        return "- "

    def _flush(self) -> None:
        raw = "".join(self._buffer)
        self._buffer = []
        lines = [WHITESPACE_RUN.sub(" ", line).strip() for line in raw.split("\n")]
        text = "\n".join(line for line in lines if line)
        if not text:
            return
        kind, level = self._current_kind()
        if kind == "heading":
            self._writer.add("heading", " ".join(text.split()), level=level)
        elif kind == "list_item":
            self._writer.add("list_item", text, prefix=self._item_prefix)
        else:
            self._writer.add_paragraph(text)

    def _current_kind(self) -> tuple[BlockKind, int]:
        for tag in reversed(self._open):
            if heading := HEADING_TAG.match(tag):
                return "heading", int(heading.group(1))
            if tag == "li":
                return "list_item", 0
            if tag in ("td", "th", "dd", "dt", "blockquote"):
                return "paragraph", 0
        return "paragraph", 0
