"""Loader for .txt files."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders.source_file import decode_text, read_document_bytes
from ingest.page_headers import strip_page_headers
from ingest.structure import detect_blocks
from knowledge.types import ExtractedDocument


def load_plain_text(path: Path) -> ExtractedDocument:
    text = strip_page_headers(decode_text(path, read_document_bytes(path)))
    return ExtractedDocument(text=text, blocks=detect_blocks(text))
