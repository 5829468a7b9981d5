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


class InvalidSidecar(ValueError):
    pass


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIX)


def read_metadata(path: Path, document: ExtractedDocument) -> DocumentMeta:
    """The sidecar's fields, with the title and date read from the document where the sidecar is silent."""
    fields: dict[str, object] = {}
    sidecar = sidecar_of(path)
    if sidecar.exists():
        try:
            fields = json.loads(sidecar.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise InvalidSidecar(f"{sidecar.name}: not valid JSON ({error})") from None
        if not isinstance(fields, dict):
            raise InvalidSidecar(f"{sidecar.name}: expected a JSON object with title, kind, issuer, date")
    known: dict[str, object] = {k: str(v) for k, v in fields.items() if k in _TEXT_FIELDS and v is not None}
    complete = fields.get("complete", True)
    if not isinstance(complete, bool):
        raise InvalidSidecar(f'{sidecar.name}: "complete" must be true or false, not {complete!r}')
    known["complete"] = complete
    known.setdefault("title", guess_title(document) or path.stem)
    if "date" not in known:
        found = _DATE.search(path.name) or _DATE.search(document.text[:2000])
        known["date"] = found.group(0) if found else ""
    language = known.get("language", "sv")
    known["language"] = language if language in ("sv", "en") else "sv"
    return DocumentMeta(**known)  # type: ignore[arg-type]
