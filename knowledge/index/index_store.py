"""The on-disk index: generations that are written whole and switched to atomically.

An ingest never edits the index that answers questions. It writes a new generation (Chroma collections
named after it, a lexical index and the passage table in its own folder) and only when every part is on
disk does it replace the one-line pointer file ``CURRENT``. A killed or failed ingest leaves the previous
generation answering; its leftovers are removed by the next ingest (ingests take turns, so whatever
generation the pointer does not name when one starts is abandoned).

Layout under ``<data dir>/index``::

    CURRENT                 {"generation": 7}
    chroma/                 embedded Chroma (absent when a Chroma server is used)
    gen-000007/manifest.json, passages.jsonl, lexical/
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.settings import Settings
from knowledge.types import DocumentMeta, IndexedDocument, Passage, Responsibility

# Chroma reports anonymous usage unless told not to, and it would try to reach the network to do so.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# 2: sentences and their windows carry their hubness (knowledge/index/hubness.py).
_FORMAT_VERSION = 2
COLLECTION_KINDS = ("passages", "sentences", "windows")

log = logging.getLogger(__name__)


class IndexUnavailable(RuntimeError):
    """The index is missing or unusable; the message says what to run."""


@dataclass(frozen=True)
class Generation:
    number: int
    folder: Path
    embedder: str
    documents: tuple[IndexedDocument, ...]
    namespace: str
    reference: str = ""
    """Fingerprint of the reference questions that the sentences' hubness was measured against."""

    @property
    def passages_collection(self) -> str:
        return _collection_name(self.namespace, "passages", self.number)

    @property
    def sentences_collection(self) -> str:
        return _collection_name(self.namespace, "sentences", self.number)

    @property
    def windows_collection(self) -> str:
        return _collection_name(self.namespace, "windows", self.number)

    @property
    def lexical_folder(self) -> Path:
        return self.folder / "lexical"

    def load_responsibilities(self) -> list[Responsibility]:
        path = self.folder / "responsibilities.json"
        if not path.exists():
            return []
        return [Responsibility(**record) for record in json.loads(path.read_text(encoding="utf-8"))]

    def load_passages(self) -> list[Passage]:
        with (self.folder / "passages.jsonl").open(encoding="utf-8") as handle:
            return [_passage_from_json(json.loads(line)) for line in handle if line.strip()]


# The graph index answers approximately, and its graph differs from one build to the next (it is built on
# several threads): with Chroma's default breadth of search, one nearest sentence in a few hundred
# questions came and went between two builds of the same corpus. Searched twice as wide, five builds gave
# the same nearest sentences for every bank question, at no measurable cost (README, `make bench`).
HNSW = {"hnsw": {"space": "cosine", "ef_search": 200}}


class IndexStore:
    """Finds the current generation and opens the Chroma collections that belong to it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.root = settings.index_dir
        # Several data folders may share one Chroma server: collection names carry the folder's identity.
        self.namespace = "sb-" + hashlib.sha1(str(self.root.resolve()).encode()).hexdigest()[:10]
        self._client: Any = None

    # --- Chroma -----------------------------------------------------------------------------------

    def chroma(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            server = self._settings.chroma_server
            if server is not None:
                self._client = chromadb.HttpClient(
                    host=server.host, port=server.port, ssl=server.ssl, settings=chroma_settings
                )
            else:
                (self.root / "chroma").mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self.root / "chroma"), settings=chroma_settings)
        return self._client

    def collection(self, name: str, embedding_function: Any, create: bool = False) -> Any:
        client = self.chroma()
        if create:
            return client.create_collection(name, embedding_function=embedding_function, configuration=HNSW)
        return client.get_collection(name, embedding_function=embedding_function)

    # --- generations ------------------------------------------------------------------------------

    def current(self) -> Generation | None:
        number = self.current_number()
        return None if number is None else self._read_generation(number)

    def current_number(self) -> int | None:
        """The number of the generation that answers, from the pointer alone (its manifest is not read)."""
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            return None
        return int(json.loads(pointer.read_text(encoding="utf-8"))["generation"])

    def _read_generation(self, number: int) -> Generation:
        folder = self.root / f"gen-{number:06d}"
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != _FORMAT_VERSION:
            raise IndexUnavailable(f"The index in {self.root} has an older format; run `strategibot ingest` again.")
        return Generation(
            number=number,
            folder=folder,
            embedder=manifest["embedder"],
            documents=tuple(_document_from_json(d) for d in manifest["documents"]),
            namespace=self.namespace,
            reference=manifest.get("reference_questions", ""),
        )

    def next_generation(self, embedder: str, reference: str = "") -> Generation:
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        number = max(numbers, default=0) + 1
        folder = self.root / f"gen-{number:06d}"
        folder.mkdir(parents=True)
        return Generation(number, folder, embedder, (), self.namespace, reference)

    def write_generation(
        self,
        generation: Generation,
        documents: Sequence[IndexedDocument],
        passages: Iterable[Passage],
        responsibilities: Iterable[Responsibility] = (),
    ) -> Generation:
        with (generation.folder / "passages.jsonl").open("w", encoding="utf-8") as handle:
            for passage in passages:
                handle.write(json.dumps(_passage_to_json(passage), ensure_ascii=False) + "\n")
        records = [asdict(r) for r in responsibilities]
        (generation.folder / "responsibilities.json").write_text(
            json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        manifest = {
            "format": _FORMAT_VERSION,
            "embedder": generation.embedder,
            "reference_questions": generation.reference,
            "documents": [_document_to_json(d) for d in documents],
        }
        _write_atomically(generation.folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        return replace(generation, documents=tuple(documents))

    def switch_to(self, generation: Generation) -> None:
        """Make ``generation`` the one that answers. This rename is the commit point of an ingest."""
        _fsync_tree(generation.folder)
        _write_atomically(self.root / "CURRENT", json.dumps({"generation": generation.number}))

    def remove_all_but_current(self) -> None:
        """Delete the folders and collections of every generation but the one the pointer names.

        Only an ingest holding the ingest lock may call this: then every other generation is a superseded
        one or the leftovers of a killed or failed ingest, never one still being written.
        Collections go before folders, so that a folder outlives its collections: while a ``gen-*`` folder
        other than the current one exists, something may be left to clean, and when none does, nothing is.
        """
        keep = self.current_number()
        keep_folder = f"gen-{keep:06d}" if keep is not None else None
        abandoned = [p for p in self.root.glob("gen-*") if p.name != keep_folder]
        if not abandoned:
            return
        keep_names: set[str] = set()
        if keep is not None:
            keep_names = {_collection_name(self.namespace, kind, keep) for kind in COLLECTION_KINDS}
        client = self.chroma()
        for collection in client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(self.namespace + "-") and name not in keep_names:
                client.delete_collection(name)
        for folder in abandoned:
            log.info("removing index generation %s, which no longer answers", folder.name)
            shutil.rmtree(folder, ignore_errors=True)


def copy_vectors(source: Any, ids: Sequence[str]) -> dict[str, np.ndarray]:
    """Vectors of ``ids`` from a Chroma collection, so unchanged passages are never embedded again."""
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(ids), 1000):
        got = source.get(ids=list(ids[start : start + 1000]), include=["embeddings"])
        for key, vector in zip(got["ids"], got["embeddings"], strict=True):
            found[key] = np.asarray(vector, dtype=np.float32)
    return found


def _collection_name(namespace: str, kind: str, number: int) -> str:
    return f"{namespace}-{kind}-g{number:06d}"


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def _passage_to_json(passage: Passage) -> dict[str, Any]:
    data = asdict(passage)
    data["section"] = list(passage.section)
    data["sentences"] = [list(span) for span in passage.sentences]
    return data


def _passage_from_json(data: dict[str, Any]) -> Passage:
    return Passage(
        passage_id=data["passage_id"],
        doc_id=data["doc_id"],
        text=data["text"],
        section=tuple(data["section"]),
        start=data["start"],
        end=data["end"],
        page=data.get("page"),
        sentences=tuple((a, b) for a, b in data["sentences"]),
    )


def _document_to_json(document: IndexedDocument) -> dict[str, Any]:
    return asdict(document)


def _document_from_json(data: dict[str, Any]) -> IndexedDocument:
    return IndexedDocument(
        doc_id=data["doc_id"],
        source=data["source"],
        content_hash=data["content_hash"],
        meta=DocumentMeta(**data["meta"]),
        passage_count=data["passage_count"],
        indexed_at=data.get("indexed_at", ""),
    )
