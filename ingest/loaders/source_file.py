"""Reading a document's bytes and decoding text files."""

from __future__ import annotations

import codecs
from pathlib import Path

from ingest.errors import UnreadableDocument

# utf-8-sig reads plain UTF-8 as well and drops a byte-order mark; cp1252 is what older Windows
# editors in Sweden save. cp1252 accepts almost any byte, so it has to come last.
TEXT_ENCODINGS = ("utf-8-sig", "cp1252")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_document_bytes(path: Path) -> bytes:
    """The file's bytes; an empty or whitespace-only file is unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(path, f"cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise UnreadableDocument(path, "is empty (no text)")
    return data


def decode_text(path: Path, data: bytes) -> str:
    """Decode a text file and normalise its line ends to "\\n"."""
    text = _decode(path, data)
    if "\x00" in text:
        raise UnreadableDocument(path, "is not a text file (it contains binary data)")
    # Form feeds are page breaks in text exported from PDF; a blank line keeps the pages apart.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    if not text.strip():
        raise UnreadableDocument(path, "is empty (no text)")
    return text


def _decode(path: Path, data: bytes) -> str:
    # Notepad's "Unicode" is UTF-16 with a byte-order mark; without this check cp1252 would
    # decode it into text full of NUL characters.
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableDocument(path, "cannot be decoded (invalid UTF-16)") from exc
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument(path, "cannot be decoded as text (tried UTF-8 and Windows-1252)")
