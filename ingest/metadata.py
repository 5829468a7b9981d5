"""What a document is: its sidecar ``<name>.meta.json``, or what can be read from the file itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.title import guess_title
from knowledge.types import DocumentMeta, ExtractedDocument

SIDECAR_SUFFIX = ".meta.json"
_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
_TEXT_FIELDS = {"title", "kind", "issuer", "date", "diary_number", "language", "url", "status", "superseded_by", "note"}


BUNDLED_STATUS_FOLDER = ".bundled-status"
"""In the documents folder: the status content owners gave bundled documents (superseded, or current
again), one sidecar each, named as the bundled file's. The bundled files stay as they were published."""
_STATUS_FIELDS = ("status", "superseded_by")


class InvalidSidecar(ValueError):
    pass


def status_file_of(documents_dir: Path, bundled_name: str) -> Path:
    """Where owners' status for the bundled document ``bundled_name`` (its path in the corpus) is kept."""
    return sidecar_of(documents_dir / BUNDLED_STATUS_FOLDER / bundled_name)


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIX)


def read_metadata(path: Path, document: ExtractedDocument, status_file: Path | None = None) -> DocumentMeta:
    """The sidecar's fields, with the title and date read from the document where the sidecar is silent.
    ``status_file``: owners' status for a bundled document (`status_file_of`); where it exists, its status
    and superseded_by replace the sidecar's."""
    fields = _read_fields(sidecar_of(path))
    if status_file is not None:
        given = _read_fields(status_file)
        fields.update({name: given.get(name) or "" for name in _STATUS_FIELDS if name in given})
    known: dict[str, object] = {k: str(v) for k, v in fields.items() if k in _TEXT_FIELDS and v is not None}
    complete = fields.get("complete", True)
    if not isinstance(complete, bool):
        raise InvalidSidecar(f'{sidecar_of(path).name}: "complete" must be true or false, not {complete!r}')
    known["complete"] = complete
    known.setdefault("title", guess_title(document) or path.stem)
    if "date" not in known:
        found = _DATE.search(path.name) or _DATE.search(document.text[:2000])
        known["date"] = found.group(0) if found else ""
    language = known.get("language", "sv")
    known["language"] = language if language in ("sv", "en") else "sv"
    return DocumentMeta(**known)  # type: ignore[arg-type]


def _read_fields(sidecar: Path) -> dict[str, object]:
    if not sidecar.exists():
        return {}
    try:
        fields = json.loads(sidecar.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidSidecar(f"{sidecar.name}: not valid JSON ({error})") from None
    if not isinstance(fields, dict):
        raise InvalidSidecar(f"{sidecar.name}: expected a JSON object with title, kind, issuer, date")
    return fields
