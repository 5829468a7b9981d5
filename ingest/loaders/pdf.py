"""Loader for PDF files, with pypdf; the page text goes through the plain-text structure
detection, and every block keeps the page it starts on."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PasswordType, PdfReader

from ingest.errors import UnreadableDocument, describe_exception
from ingest.loaders.pdf_page_text import extract_page_text, remove_page_furniture
from ingest.loaders.source_file import read_document_bytes
from ingest.structure import detect_blocks
from knowledge.types import ExtractedDocument

PAGE_SEPARATOR = "\n\n"


def load_pdf(path: Path) -> ExtractedDocument:
    data = read_document_bytes(path)
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf signals damage with many exception types
        raise UnreadableDocument(path, f"the PDF is corrupt ({describe_exception(exc)})") from exc
    if encrypted:
        _unlock(path, reader)
    try:
        page_texts = [extract_page_text(page) for page in reader.pages]
    except Exception as exc:
        raise UnreadableDocument(path, f"the PDF is corrupt ({describe_exception(exc)})") from exc
    page_texts = remove_page_furniture(page_texts)
    if not any(page.strip() for page in page_texts):
        raise UnreadableDocument(path, "the PDF has no extractable text (it is probably scanned; run OCR on it first)")
    text, page_starts = _join_pages(page_texts)
    return ExtractedDocument(text=text, blocks=detect_blocks(text, page_starts))


def _unlock(path: Path, reader: PdfReader) -> None:
    # Many published PDFs are encrypted with an owner password only, to restrict printing or
    # editing; they open with the empty user password.
    try:
        unlocked = reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except Exception as exc:
        raise UnreadableDocument(
            path, f"the PDF is encrypted and cannot be opened ({describe_exception(exc)})"
        ) from exc
    if not unlocked:
        raise UnreadableDocument(path, "the PDF is encrypted (password-protected)")


def _join_pages(page_texts: list[str]) -> tuple[str, tuple[int, ...]]:
    """The document text and the offset where each page starts in it."""
    parts: list[str] = []
    page_starts: list[int] = []
    length = 0
    for index, page_text in enumerate(page_texts):
        if index:
            parts.append(PAGE_SEPARATOR)
            length += len(PAGE_SEPARATOR)
        page_starts.append(length)
        parts.append(page_text)
        length += len(page_text)
    return "".join(parts), tuple(page_starts)
