"""Document loaders: one per file format, chosen by the file's suffix.

Every loader returns an ``ExtractedDocument`` whose blocks are exact slices of its text, and
raises ``UnreadableDocument`` (never a library's own exception) for a file it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.errors import UnreadableDocument
from ingest.loaders.html_page import load_html
from ingest.loaders.markdown import load_markdown
from ingest.loaders.pdf import load_pdf
from ingest.loaders.plain_text import load_plain_text
from ingest.loaders.word_document import load_word_document
from knowledge.types import ExtractedDocument

Loader = Callable[[Path], ExtractedDocument]

LOADERS_BY_SUFFIX: dict[str, Loader] = {
    ".txt": load_plain_text,
    ".md": load_markdown,
    ".pdf": load_pdf,
    ".docx": load_word_document,
    ".html": load_html,
    ".htm": load_html,
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(LOADERS_BY_SUFFIX)

__all__ = ["SUPPORTED_SUFFIXES", "UnreadableDocument", "is_supported", "load_document"]


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS_BY_SUFFIX


def load_document(path: Path) -> ExtractedDocument:
    """Read a document into text and blocks, choosing the loader by the file's suffix."""
    path = Path(path)
    loader = LOADERS_BY_SUFFIX.get(path.suffix.lower())
    if loader is None:
        shown = path.suffix or "(no suffix)"
        supported = " ".join(dict.fromkeys(s for s in SUPPORTED_SUFFIXES if s != ".htm"))
        raise UnreadableDocument(path, f"has an unsupported type {shown}; supported: {supported}")
    return loader(path)
