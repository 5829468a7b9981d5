"""Loader for Word documents (.docx), with python-docx.

Headings come from paragraph styles, which Word stores under their English names ("Heading 2")
but Swedish templates may rename or give Swedish ids ("Rubrik2"); both are recognised. Tables are
read cell by cell in document order. Headers and footers are left out: they repeat on every page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.errors import UnreadableDocument, describe_exception
from ingest.loaders.block_writer import BlockWriter
from ingest.loaders.source_file import read_document_bytes
from knowledge.types import ExtractedDocument

HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*(?P<level>[1-9])$", re.IGNORECASE)
TITLE_STYLE = re.compile(r"^(?:title|titel|rubrik)$", re.IGNORECASE)
LIST_STYLE = re.compile(r"^(?:list|liststycke|punktlista|numrerad lista)", re.IGNORECASE)
NUMBERED_LIST_STYLE = re.compile(r"number|numrerad", re.IGNORECASE)
# Password-protected Office files and old .doc files are OLE compound files, not zip packages.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_NAMESPACE = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def load_word_document(path: Path) -> ExtractedDocument:
    data = read_document_bytes(path)
    if data.startswith(OLE_SIGNATURE):
        raise UnreadableDocument(
            path, "is password-protected or an old Word file (.doc); save it as .docx without a password"
        )
    try:
        word_document = docx.Document(io.BytesIO(data))
        document = _render(word_document)
    except Exception as exc:  # python-docx raises zip, XML and key errors alike for broken files
        raise UnreadableDocument(path, f"is corrupt ({describe_exception(exc)})") from exc
    if not document.blocks:
        raise UnreadableDocument(path, "is empty (no text)")
    return document


def _render(word_document: WordDocument) -> ExtractedDocument:
    writer = BlockWriter()
    numbered_item_count = 0
    for paragraph in _paragraphs_in_order(word_document.iter_inner_content()):
        text = paragraph.text
        if not text.strip():
            continue
        heading_level = _heading_level(paragraph)
        if heading_level:
            writer.add("heading", " ".join(text.split()), level=heading_level)
            numbered_item_count = 0
        elif _is_list_item(paragraph):
            if _is_numbered_style(paragraph):
                numbered_item_count += 1
                prefix = f"{numbered_item_count}. "
            else:
                prefix = "- "
            writer.add("list_item", text, prefix=prefix)
        else:
            writer.add_paragraph(text)
            numbered_item_count = 0
    return writer.document()


def _paragraphs_in_order(content: Iterator[Paragraph | Table]) -> Iterator[Paragraph]:
    for item in content:
        if isinstance(item, Paragraph):
            yield item
        else:
            yield from _paragraphs_of_table(item)


def _paragraphs_of_table(table: Table) -> Iterator[Paragraph]:
    seen_cells: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            # A merged cell is returned once for every grid column it spans.
            if id(cell._tc) in seen_cells:
                continue
            seen_cells.add(id(cell._tc))
            yield from _paragraphs_in_order(cell.iter_inner_content())


def _style_names(paragraph: Paragraph) -> tuple[str, ...]:
    style = paragraph.style
    if style is None:
        return ()
    return tuple(name for name in (style.name, style.style_id) if name)


def _heading_level(paragraph: Paragraph) -> int:
    for name in _style_names(paragraph):
        if match := HEADING_STYLE.match(name):
            return int(match.group("level"))
        if TITLE_STYLE.match(name):
            return 1
    # A paragraph given an outline level directly is a heading in Word's navigation pane.
    outline = paragraph._p.find(f"{WORD_NAMESPACE}pPr/{WORD_NAMESPACE}outlineLvl")
    if outline is not None:
        value = outline.get(f"{WORD_NAMESPACE}val", "")
        if value.isdigit() and int(value) < 9:
            return int(value) + 1
    return 0


def _is_list_item(paragraph: Paragraph) -> bool:
    if any(LIST_STYLE.match(name) for name in _style_names(paragraph)):
        return True
    properties = paragraph._p.pPr
    return properties is not None and properties.numPr is not None


def _is_numbered_style(paragraph: Paragraph) -> bool:
    return any(NUMBERED_LIST_STYLE.search(name) for name in _style_names(paragraph))
