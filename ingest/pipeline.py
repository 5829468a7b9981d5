"""Ingest: make the index match a set of document folders, doing only the work that changed.

A file is identified by its resolved path and recognised as unchanged by the hash of its bytes and its
sidecar's. Unchanged documents keep their passages and vectors (copied from the current generation);
changed and new ones are read, split and embedded (through the embedding cache); files that are gone
leave the index. Nothing changed means nothing is written. Files larger than STRATEGIBOT_MAX_FILE_MB are
named and skipped like unreadable ones. Ingests take turns, and each begins by removing what a killed or
failed one left behind.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ingest.ingest_lock import one_ingest_at_a_time
from ingest.loaders import UnreadableDocument, load_document
from ingest.metadata import InvalidSidecar, is_sidecar, read_metadata, sidecar_of, status_file_of
from ingest.responsibilities import ResponsibilityExtractor
from ingest.splitter import PassageSplitter
from knowledge.index.chroma_embedding import ChromaEmbedding
from knowledge.index.embedders import Embedder
from knowledge.index.embedding_cache import CachedEmbedder, EmbeddingCache
from knowledge.index.hubness import ReferenceQuestions, sentence_hubness
from knowledge.index.index_store import Generation, IndexStore, IndexUnavailable, copy_vectors
from knowledge.index.lexical_index import LexicalIndex
from knowledge.retrieval.glossary import Glossary
from knowledge.settings import BUNDLED_CORPUS, BYTES_PER_MB, Settings
from knowledge.text.passage_text import (
    passage_embedding_text,
    sentence_embedding_text,
    sentence_texts,
    sentence_window_texts,
)
from knowledge.types import IndexedDocument, IngestReport, Language, Passage, Responsibility

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".pdf", ".docx", ".html", ".htm"})
_CHROMA_BATCH = 1000
_BUNDLED = "bundled:"


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str
    """The name users see: the path relative to the folder that was ingested."""
    identity: str
    """What makes it the same document next time: its resolved path, or for the bundled corpus its name
    there, so that a checkout moved elsewhere keeps its index."""
    status_file: Path | None = None
    """For a bundled document: where owners' status for it is kept (`ingest.metadata.status_file_of`)."""

    @property
    def doc_id(self) -> str:
        return hashlib.sha1(self.identity.encode()).hexdigest()[:12]

    def content_hash(self) -> str:
        digest = hashlib.sha256(self.path.read_bytes())
        for sidecar in (sidecar_of(self.path), self.status_file):
            if sidecar is not None and sidecar.exists():
                digest.update(sidecar.read_bytes())
        return digest.hexdigest()

    def with_status_file(self, documents_dir: Path) -> SourceFile:
        """A bundled document with the file where owners may have given it a status; others as they are."""
        if not self.identity.startswith(_BUNDLED):
            return self
        return replace(self, status_file=status_file_of(documents_dir, self.identity.removeprefix(_BUNDLED)))


@dataclass(frozen=True)
class _ReadDocument:
    document: IndexedDocument
    passages: tuple[Passage, ...]


def default_sources(settings: Settings) -> list[Path]:
    """The bundled corpus and the folder where users put their own documents."""
    return [folder for folder in (settings.corpus_dir, settings.documents_dir) if folder.exists()]


def discover(paths: Iterable[Path], bundled: Path = BUNDLED_CORPUS) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Documents under ``paths``, and (file, reason) for files of a type that cannot be read."""
    found: dict[Path, SourceFile] = {}
    rejected: list[tuple[str, str]] = []
    for root in paths:
        if root.is_file():
            candidates, base = [root], root.parent
        elif root.is_dir():
            candidates, base = sorted(p for p in root.rglob("*") if p.is_file()), root
        else:
            rejected.append((str(root), "no such file or folder"))
            continue
        for path in candidates:
            relative = path.relative_to(base)
            if any(part.startswith(".") for part in relative.parts) or is_sidecar(path):
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                supported = " ".join(sorted(SUPPORTED_SUFFIXES))
                rejected.append((str(relative), f"unsupported type {path.suffix or '(none)'}; supported: {supported}"))
                continue
            resolved = path.resolve()
            inside_bundled = resolved.is_relative_to(bundled.resolve())
            identity = f"{_BUNDLED}{resolved.relative_to(bundled.resolve())}" if inside_bundled else str(resolved)
            found.setdefault(resolved, SourceFile(path, str(relative), identity))
    return list(found.values()), rejected


class Ingester:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        show_progress: bool = True,
        reference: ReferenceQuestions | None = None,
    ) -> None:
        self._settings = settings
        self._store = IndexStore(settings)
        self._cache = EmbeddingCache(settings.data_dir / "embeddings.sqlite")
        self._embedder = CachedEmbedder(embedder, self._cache)
        self._splitter = PassageSplitter(embedder.token_count)
        self._show_progress = show_progress
        self._extractor = ResponsibilityExtractor(Glossary.load())
        self._reference = reference if reference is not None else ReferenceQuestions.load()

    def close(self) -> None:
        self._cache.close()

    def run(self, paths: Sequence[Path] | None = None) -> IngestReport:
        with one_ingest_at_a_time(self._settings.index_dir):
            # Holding the lock, any generation the pointer does not name is abandoned, never being written.
            self._store.remove_all_but_current()
            return self._run(paths)

    def _run(self, paths: Sequence[Path] | None) -> IngestReport:
        began = time.perf_counter()
        files, failed = discover(paths if paths else default_sources(self._settings), self._settings.corpus_dir)
        if self._settings.documents_dir is not None:
            files = [source.with_status_file(self._settings.documents_dir) for source in files]
        try:
            current = self._store.current()
        except IndexUnavailable:
            current = None  # an index of an older format is rebuilt; the embedding cache keeps that quick
        reusable = current if current and current.embedder == self._embedder.name else None
        previous = {d.doc_id: d for d in reusable.documents} if reusable else {}

        kept: list[IndexedDocument] = []
        fresh: list[_ReadDocument] = []
        added: list[str] = []
        changed: list[str] = []
        for source in self._progress(files, "Reading"):
            old = previous.get(source.doc_id)
            try:
                self._check_size(source)
                content_hash = source.content_hash()
                if old is not None and old.content_hash == content_hash:
                    kept.append(replace(old, source=source.display))
                    continue
                fresh.append(self._read(source, content_hash))
                (changed if old is not None else added).append(source.display)
            except (UnreadableDocument, InvalidSidecar, OSError) as error:
                failed.append((source.display, _reason(error)))
                if old is not None:
                    # A file that became unreadable keeps its last good version rather than vanishing.
                    kept.append(old)
        present = {d.doc_id for d in kept} | {r.document.doc_id for r in fresh}
        removed = [d.source for d in previous.values() if d.doc_id not in present]
        for name, reason in failed:
            log.warning("skipped %s: %s", name, reason)

        same_reference = current is not None and current.reference == self._reference.fingerprint
        if current is not None and reusable is current and not fresh and not removed and same_reference:
            return IngestReport(
                unchanged=tuple(d.source for d in kept),
                failed=tuple(failed),
                passages=sum(d.passage_count for d in kept),
                seconds=time.perf_counter() - began,
            )

        generation = self._store.next_generation(self._embedder.name, self._reference.fingerprint)
        try:
            documents, passages = self._build(generation, reusable, kept, fresh)
            self._store.write_generation(generation, documents, passages, self._register(documents, passages))
            self._store.switch_to(generation)
        except BaseException:
            # The pointer still names the previous generation; this one's leftovers go with the next ingest.
            log.error("ingest failed; the previous index is still in use")
            raise
        self._store.remove_all_but_current()
        return IngestReport(
            added=tuple(added),
            changed=tuple(changed),
            removed=tuple(removed),
            unchanged=tuple(d.source for d in kept),
            failed=tuple(failed),
            passages=len(passages),
            embedded=self._embedder.computed,
            seconds=time.perf_counter() - began,
            embed_seconds=self._embedder.seconds,
        )

    def _register(self, documents: list[IndexedDocument], passages: list[Passage]) -> list[Responsibility]:
        """Who decides what, read again from every document of the new generation: it costs milliseconds
        and needs no vectors."""
        by_document: dict[str, list[Passage]] = {}
        for passage in passages:
            by_document.setdefault(passage.doc_id, []).append(passage)
        return [
            record
            for document in documents
            for record in self._extractor.extract(document, by_document.get(document.doc_id, []))
        ]

    def _check_size(self, source: SourceFile) -> None:
        """Refuse a file above the size limit before reading it: its embedding alone could take hours."""
        size = source.path.stat().st_size
        limit = self._settings.max_file_bytes
        if size > limit:
            raise UnreadableDocument(
                source.path,
                f"too large to index ({_megabytes(size)} MB; the limit is {self._settings.max_file_mb:g} MB): "
                "split it, or raise STRATEGIBOT_MAX_FILE_MB",
            )

    def _read(self, source: SourceFile, content_hash: str) -> _ReadDocument:
        extracted = load_document(source.path)
        meta = read_metadata(source.path, extracted, source.status_file)
        passages = self._splitter.split(source.doc_id, extracted)
        if not passages:
            raise UnreadableDocument(source.path, "no text to index")
        indexed_at = datetime.now(UTC).isoformat(timespec="seconds")
        document = IndexedDocument(source.doc_id, source.display, content_hash, meta, len(passages), indexed_at)
        return _ReadDocument(document, tuple(passages))

    def _build(
        self,
        generation: Generation,
        previous: Generation | None,
        kept: list[IndexedDocument],
        fresh: list[_ReadDocument],
    ) -> tuple[list[IndexedDocument], list[Passage]]:
        kept_ids = {d.doc_id for d in kept}
        old_passages = [p for p in previous.load_passages() if p.doc_id in kept_ids] if previous else []
        documents = sorted([*kept, *(r.document for r in fresh)], key=lambda d: d.source)
        titles = {d.doc_id: d.meta.title for d in documents}
        new_passages = [p for r in fresh for p in r.passages]
        passages = sorted([*old_passages, *new_passages], key=lambda p: (p.doc_id, p.start))

        function = ChromaEmbedding(self._embedder)
        kinds = {
            "passages": [(p.passage_id, passage_embedding_text(p, titles[p.doc_id])) for p in passages],
            "sentences": [(sid, sentence_embedding_text(p, text)) for p in passages for sid, text in sentence_texts(p)],
            "windows": [item for p in passages for item in sentence_window_texts(p)],
        }
        vectors: dict[str, dict[str, np.ndarray]] = {kind: {} for kind in kinds}
        if previous is not None and old_passages:
            old_ids = {p.passage_id for p in old_passages} | {sid for p in old_passages for sid, _ in sentence_texts(p)}
            for kind, items in kinds.items():
                old = self._store.collection(_collection_of(previous, kind), function)
                vectors[kind] = copy_vectors(old, [i for i, _ in items if i in old_ids])
        to_embed = {kind: [(i, t) for i, t in items if i not in vectors[kind]] for kind, items in kinds.items()}
        total = self._embedder.missing_count([t for items in to_embed.values() for _, t in items])
        with tqdm(
            total=total, desc="Embedding", unit="text", disable=not self._show_progress or total == 0, file=sys.stderr
        ) as bar:
            for kind, items in to_embed.items():
                fresh = self._embedder.embed_passages([t for _, t in items], progress=bar.update)
                vectors[kind].update(zip((i for i, _ in items), fresh, strict=True))

        self._write_chroma(generation, passages, titles, vectors)
        LexicalIndex.build([lexical_text(p, titles[p.doc_id]) for p in passages]).save(generation.lexical_folder)
        return documents, passages

    def _reference_vectors(self) -> dict[Language, np.ndarray]:
        return {
            language: self._embedder.embed_queries(texts)
            for language, texts in self._reference.by_language.items()
            if texts
        }

    def _write_chroma(
        self,
        generation: Generation,
        passages: list[Passage],
        titles: dict[str, str],
        vectors: dict[str, dict[str, np.ndarray]],
    ) -> None:
        function = ChromaEmbedding(self._embedder)
        passage_collection = self._store.collection(generation.passages_collection, function, create=True)
        for batch in _batches(passages, _CHROMA_BATCH):
            passage_collection.add(
                ids=[p.passage_id for p in batch],
                embeddings=[vectors["passages"][p.passage_id] for p in batch],
                documents=[p.text for p in batch],
                metadatas=[
                    {
                        "doc_id": p.doc_id,
                        "title": titles[p.doc_id],
                        "section": p.section_label,
                        "start": p.start,
                        "end": p.end,
                        "page": p.page or 0,
                    }
                    for p in batch
                ],
            )
        sentences = [(sid, p) for p in passages for sid, _ in sentence_texts(p)]
        # Hubness is measured for every sentence of the new generation: the reference questions may have
        # changed since the sentences of kept documents were last measured.
        questions = self._reference_vectors()
        for kind in ("sentences", "windows"):
            collection = self._store.collection(_collection_of(generation, kind), function, create=True)
            ids = [sid for sid, _ in sentences]
            stacked = np.stack([vectors[kind][i] for i in ids]) if ids else np.zeros((0, 1), dtype=np.float32)
            hubs = sentence_hubness(ids, stacked, questions)
            for batch in _batches(sentences, _CHROMA_BATCH):
                collection.add(
                    ids=[sid for sid, _ in batch],
                    embeddings=[vectors[kind][sid] for sid, _ in batch],
                    metadatas=[{"passage_id": p.passage_id, "doc_id": p.doc_id, **hubs[sid]} for sid, p in batch],
                )

    def _progress(self, items: list[SourceFile], label: str) -> Iterable[SourceFile]:
        return tqdm(items, desc=label, unit="file", disable=not self._show_progress or not items, file=sys.stderr)


def _collection_of(generation: Generation, kind: str) -> str:
    return {
        "passages": generation.passages_collection,
        "sentences": generation.sentences_collection,
        "windows": generation.windows_collection,
    }[kind]


def lexical_text(passage: Passage, title: str) -> str:
    # Headings name the topic of every passage beneath them ("Trafikkontorets synpunkter").
    return f"{title}\n{passage.section_label}\n{passage.text}"


def _batches(items: list, size: int) -> Iterable[list]:  # type: ignore[type-arg]
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _megabytes(size: int) -> str:
    megabytes = size / BYTES_PER_MB
    return f"{megabytes:.1f}" if megabytes >= 1 else f"{megabytes:.2g}"


def _reason(error: BaseException) -> str:
    if isinstance(error, UnreadableDocument):
        return error.reason
    return str(error)


def run_ingest(
    settings: Settings,
    embedder: Embedder,
    paths: Sequence[Path] | None = None,
    show_progress: bool = True,
    on_report: Callable[[IngestReport], None] | None = None,
) -> IngestReport:
    ingester = Ingester(settings, embedder, show_progress)
    try:
        report = ingester.run(paths)
    finally:
        ingester.close()
    if on_report:
        on_report(report)
    return report
