"""A persistent cache of passage embeddings, keyed by model and content hash.

Embedding is the slow part of ingest (tens of passages a second on two cores), so a text is embedded once
per model, whatever file or generation of the index it appears in.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.index.bundled_vectors import BundledVectors
from knowledge.index.embedders import Embedder


def content_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, PRIMARY KEY (model, key))"
        )

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})", [model, *chunk]
            )
            found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        return found

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(model, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in items.items()],
            )

    def close(self) -> None:
        self._db.close()


class CachedEmbedder:
    """An Embedder that looks in the cache first and counts what it really had to compute."""

    def __init__(
        self, inner: Embedder, cache: EmbeddingCache, batch_size: int = 16, bundled: BundledVectors | None = None
    ) -> None:
        """``bundled``: vectors shipped with the bundled corpus (default: read from the package on the
        first miss)."""
        self._inner = inner
        self._cache = cache
        self._batch_size = batch_size
        self._bundled = bundled
        self.computed = 0
        self.seconds = 0.0

    @property
    def name(self) -> str:
        return self._inner.name

    def embed_passages(self, texts: Sequence[str], progress=None) -> np.ndarray:  # type: ignore[no-untyped-def]
        return self._cached(self.name, texts, self._inner.embed_passages, progress, counted=True)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Texts embedded as questions (e5 prefixes them differently), cached apart from passages."""

        def embed(batch: Sequence[str]) -> np.ndarray:
            return np.stack([self._inner.embed_query(text) for text in batch])

        return self._cached(f"{self.name}#query", texts, embed, None, counted=False)

    def _cached(self, model: str, texts: Sequence[str], embed, progress, counted: bool) -> np.ndarray:  # type: ignore[no-untyped-def]
        """``counted``: whether the texts count in ``computed`` and ``seconds``, which report the work of
        indexing documents."""
        keys = [content_key(t) for t in texts]
        found = self._cache.get_many(model, sorted(set(keys)))
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing:
            shipped = self._shipped(model, missing)
            self._cache.put_many(model, shipped)
            found.update(shipped)
            missing = [k for k in missing if k not in shipped]
        text_of = dict(zip(keys, texts, strict=True))
        for start in range(0, len(missing), self._batch_size):
            batch = missing[start : start + self._batch_size]
            began = time.perf_counter()
            vectors = embed([text_of[k] for k in batch])
            fresh = dict(zip(batch, vectors, strict=True))
            self._cache.put_many(model, fresh)
            found.update(fresh)
            if counted:
                self.seconds += time.perf_counter() - began
                self.computed += len(batch)
            if progress is not None:
                progress(len(batch))
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def _shipped(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if self._bundled is None:
            self._bundled = BundledVectors.load()
        return {k: v for k in keys if (v := self._bundled.by_key.get((model, k))) is not None}

    def missing_count(self, texts: Sequence[str]) -> int:
        """How many of ``texts`` the model will have to embed."""
        keys = sorted({content_key(t) for t in texts})
        cached = self._cache.get_many(self.name, keys)
        uncached = [k for k in keys if k not in cached]
        return len(uncached) - len(self._shipped(self.name, uncached))

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)

    def token_count(self, text: str) -> int:
        return self._inner.token_count(text)
