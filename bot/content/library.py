"""The documents folder as content owners change it from Teams: add a file, correct what it is, mark it
superseded, or remove it; each change is followed by an ingest, as after `strategibot ingest`. A bundled
document stays as it was published: owners may only mark it superseded or current again, which is kept in
the documents folder (`ingest.metadata.status_file_of`).

An ingest holds the index's lock (one at a time across every instance sharing the data folder) and
switches the index over only when it is complete: the previous index answers until then, and stays when
the ingest fails. Instances answer from the new index at their next question. A removed file is moved
aside (``removed/``) and deleted after REMOVED_KEPT_DAYS days.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from bot.content.settings import REMOVED_KEPT_DAYS
from ingest.loaders import UnreadableDocument, load_document
from ingest.metadata import InvalidSidecar, read_metadata, sidecar_of, status_file_of
from ingest.pipeline import SUPPORTED_SUFFIXES, run_ingest
from knowledge.index.embedders import Embedder
from knowledge.settings import Settings
from knowledge.text.language import detect_language
from knowledge.types import DocumentMeta, IngestReport, Language

RefusalKind = Literal["unsupported", "too_large", "unreadable", "duplicate", "not_found", "invalid", "bundled"]
STATUS_VALUES = ("", "ersatt")
"""Gällande (empty) or superseded: what answers distinguish."""
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")
_ISO_DATE = re.compile(r"^(19|20)\d\d-[01]\d-[0-3]\d$")
_FEW_WORDS = 50


class ContentRefused(Exception):
    """A file or change that is not taken: nothing in the folder or the index changed."""

    def __init__(self, kind: RefusalKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class ReadFile:
    """What an uploaded file was found to be, before it is stored."""

    name: str
    title: str
    date: str
    language: Language
    words: int
    warnings: tuple[str, ...]
    """Codes the reply words: "no_date", "few_words", "pages_without_text:3,4"."""


class DocumentLibrary:
    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self._settings = settings
        self._embedder = embedder
        self._turns = threading.Lock()
        """Changes and ingests of this process one at a time; the index lock orders them across processes."""

    @property
    def folder(self) -> Path:
        assert self._settings.documents_dir is not None  # set by Settings
        return self._settings.documents_dir

    @property
    def max_bytes(self) -> int:
        return self._settings.max_file_bytes

    def holds(self, name: str) -> bool:
        """Whether ``name`` is a file of the documents folder (bundled documents are not owners' to change)."""
        return _file_in(self.folder, name)

    def is_bundled(self, name: str) -> bool:
        """Whether ``name`` is a bundled document (and not one of the documents folder's)."""
        return not self.holds(name) and _file_in(self._settings.corpus_dir, name)

    # --- adding ------------------------------------------------------------------------------------

    def read(self, name: str, data: bytes) -> ReadFile:
        """Check an uploaded file without storing it. Raises ContentRefused."""
        name = safe_file_name(name)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise ContentRefused("unsupported", suffix or "(none)")
        if len(data) > self.max_bytes:
            raise ContentRefused("too_large", "")
        same = self._same_file(data)
        if same is not None:
            raise ContentRefused("duplicate", same)
        with tempfile.TemporaryDirectory(prefix="strategibot-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                document = load_document(path)
                meta = read_metadata(path, document)
            except UnreadableDocument as error:
                raise ContentRefused("unreadable", error.reason) from None
        words = len(document.text.split())
        warnings = [] if meta.date else ["no_date"]
        if words < _FEW_WORDS:
            warnings.append("few_words")
        pages = sorted({b.page for b in document.blocks if b.page is not None})
        if pages:
            missing = sorted(set(range(1, pages[-1] + 1)) - set(pages))
            if missing:
                warnings.append("pages_without_text:" + ",".join(str(p) for p in missing))
        return ReadFile(name, meta.title, meta.date, detect_language(document.text[:20000]), words, tuple(warnings))

    def add(self, read: ReadFile, data: bytes) -> tuple[str, IngestReport]:
        """Store a file that `read` accepted, with a sidecar of what was read, and index it."""
        with self._turns:
            same = self._same_file(data)
            if same is not None:  # sent twice at once: the first one is stored
                raise ContentRefused("duplicate", same)
            self.folder.mkdir(parents=True, exist_ok=True)
            name = _free_name(self.folder, read.name)
            fields = DocumentMeta(title=read.title, date=read.date, language=read.language)
            _write_sidecar(self.folder / name, fields)
            _write_atomically(self.folder / name, data)
            return name, self._ingest()

    def discard(self, name: str) -> None:
        """Delete a stored upload that the ingest could not read (it never reached the index)."""
        path = self._path(name)
        sidecar_of(path).unlink(missing_ok=True)
        path.unlink(missing_ok=True)

    # --- changing ----------------------------------------------------------------------------------

    def fields(self, name: str) -> DocumentMeta:
        """The document's current fields (sidecar, or what the file says; for a bundled document, with the
        status owners gave it)."""
        if self.is_bundled(name):
            path, status_file = self._settings.corpus_dir / name, status_file_of(self.folder, name)
        else:
            path, status_file = self._path(name), None
        try:
            meta = read_metadata(path, load_document(path), status_file)
        except (UnreadableDocument, InvalidSidecar) as error:
            raise ContentRefused("unreadable", str(error)) from None
        # The status as the form offers it: any word the sidecar used for superseded reads as "ersatt".
        return replace(meta, status="ersatt" if meta.superseded else "")

    def edit(self, name: str, fields: DocumentMeta) -> IngestReport:
        """Rewrite the document's sidecar and index the change. Raises ContentRefused for invalid fields, and
        for a bundled document whose fields other than its status would change."""
        check_fields(fields)
        if self.is_bundled(name):
            return self._set_bundled_status(name, fields)
        with self._turns:
            _write_sidecar(self._path(name), fields)
            return self._ingest()

    def remove(self, name: str, now: datetime | None = None) -> IngestReport:
        """Move the file and its sidecar aside, out of the index."""
        if self.is_bundled(name):
            raise ContentRefused("bundled", name)
        with self._turns:
            path = self._path(name)
            stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%f")
            aside = self._settings.data_dir / "removed" / stamp
            aside.mkdir(parents=True)
            for moved in (path, sidecar_of(path)):
                if moved.exists():
                    shutil.move(moved, aside / moved.name)
            return self._ingest()

    def delete_removed(self, now: datetime | None = None) -> int:
        """Delete what was removed more than REMOVED_KEPT_DAYS ago; returns how many removals."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=REMOVED_KEPT_DAYS)
        deleted = 0
        for folder in sorted((self._settings.data_dir / "removed").glob("*")):
            try:
                removed_at = datetime.strptime(folder.name, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
            except ValueError:
                continue
            if removed_at < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                deleted += 1
        return deleted

    # --- helpers -----------------------------------------------------------------------------------

    def _set_bundled_status(self, name: str, fields: DocumentMeta) -> IngestReport:
        current = self.fields(name)
        if replace(fields, status=current.status, superseded_by=current.superseded_by) != current:
            raise ContentRefused("bundled", name)
        content = {"status": fields.status, "superseded_by": fields.superseded_by}
        with self._turns:
            status_file = status_file_of(self.folder, name)
            status_file.parent.mkdir(parents=True, exist_ok=True)
            _write_json(status_file, content)
            return self._ingest()

    def _path(self, name: str) -> Path:
        if not self.holds(name):
            raise ContentRefused("not_found", name)
        return self.folder / name

    def _ingest(self) -> IngestReport:
        return run_ingest(self._settings, self._embedder, show_progress=False)

    def _same_file(self, data: bytes) -> str | None:
        """The name of a stored document with exactly these bytes, if any."""
        digest = hashlib.sha256(data).hexdigest()
        for folder in (self.folder, self._settings.corpus_dir):
            if not folder.exists():
                continue
            for path in folder.rglob("*"):
                same_size = path.is_file() and path.stat().st_size == len(data)
                if same_size and path.suffix.lower() in SUPPORTED_SUFFIXES and _sha256(path) == digest:
                    return path.name
        return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def safe_file_name(name: str) -> str:
    """The last part of a name a client sent, without characters a folder should not hold."""
    base = Path(name.replace("\\", "/")).name.strip()
    cleaned = _UNSAFE_NAME.sub("_", base).strip(". ")
    return cleaned or "dokument"


def check_fields(fields: DocumentMeta) -> None:
    if not fields.title.strip():
        raise ContentRefused("invalid", "title")
    if fields.date and not _ISO_DATE.match(fields.date):
        raise ContentRefused("invalid", "date")
    if fields.language not in ("sv", "en"):
        raise ContentRefused("invalid", "language")
    if fields.status not in STATUS_VALUES:
        raise ContentRefused("invalid", "status")
    if fields.url and not fields.url.startswith(("https://", "http://")):
        raise ContentRefused("invalid", "url")


def fields_from(values: Mapping[str, object], current: DocumentMeta) -> DocumentMeta:
    """Fields from a submitted form: what the form leaves out keeps its current value."""

    def text(key: str, default: str) -> str:
        value = values.get(key, default)
        return " ".join(str(value).split()) if value is not None else default

    complete = values.get("complete", current.complete)
    language = text("language", current.language)
    return replace(
        current,
        title=text("title", current.title),
        kind=text("kind", current.kind) or "dokument",
        issuer=text("issuer", current.issuer),
        date=text("date", current.date),
        language="en" if language == "en" else ("sv" if language == "sv" else language),  # type: ignore[arg-type]
        url=text("url", current.url),
        status=text("status", current.status),
        superseded_by=text("superseded_by", current.superseded_by),
        complete=complete in (True, "true", "True", "1"),
        note=text("note", current.note),
    )


def _write_sidecar(path: Path, fields: DocumentMeta) -> None:
    content: dict[str, object] = {
        "title": fields.title,
        "kind": fields.kind,
        "issuer": fields.issuer,
        "date": fields.date,
        "language": fields.language,
        "url": fields.url,
        "status": fields.status,
        "superseded_by": fields.superseded_by,
        "complete": fields.complete,
        "note": fields.note,
    }
    if fields.diary_number is not None:
        content["diary_number"] = fields.diary_number
    _write_json(sidecar_of(path), content)


def _write_json(path: Path, content: Mapping[str, object]) -> None:
    _write_atomically(path, (json.dumps(content, ensure_ascii=False, indent=2) + "\n").encode())


def _write_atomically(path: Path, data: bytes) -> None:
    # A hidden name while being written: an ingest of another instance skips it, never reads half a file.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def _free_name(folder: Path, name: str) -> str:
    path = Path(name)
    candidate, number = name, 2
    while (folder / candidate).exists():
        candidate = f"{path.stem} ({number}){path.suffix}"
        number += 1
    return candidate


def _inside(folder: Path, name: str) -> bool:
    return (folder / name).resolve().is_relative_to(folder.resolve())


def _file_in(folder: Path, name: str) -> bool:
    try:
        return bool(name) and _inside(folder, name) and (folder / name).is_file()
    except (OSError, ValueError):  # a name no file can have (a NUL byte, too long)
        return False
