"""Sentence (or window) vectors with their hubness, read from Chroma once and then kept in memory.

A generation's collections never change once written, and the same sentences are candidates for question
after question. Reading forty vectors with their metadata from Chroma takes about 3 ms a collection; from
memory, microseconds. At most ``capacity`` entries are kept, the least recently used going first: about
1.7 KB each (384 floats and two hubness figures), so the default costs at most about 28 MB a collection.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.index.hubness import hub_key

KEPT_VECTORS = 16384


@dataclass(frozen=True)
class StoredVector:
    vector: np.ndarray
    hubs: tuple[tuple[str, float], ...]
    """(metadata field, hubness) pairs, e.g. ("hub_sv", 0.84)."""

    def hub(self, language: str) -> float:
        return dict(self.hubs).get(hub_key(language), 0.0)


class StoredVectors:
    def __init__(self, collection: Any, capacity: int = KEPT_VECTORS) -> None:
        self._collection = collection
        self._capacity = capacity
        self._kept: OrderedDict[str, StoredVector] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ids: Sequence[str]) -> dict[str, StoredVector]:
        found: dict[str, StoredVector] = {}
        with self._lock:
            for sentence_id in ids:
                known = self._kept.get(sentence_id)
                if known is not None:
                    self._kept.move_to_end(sentence_id)
                    found[sentence_id] = known
        missing = [i for i in ids if i not in found]
        if not missing:
            return found
        got = self._collection.get(ids=missing, include=["embeddings", "metadatas"])
        fresh = {}
        for sentence_id, embedding, metadata in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True):
            vector = np.asarray(embedding, dtype=np.float32)
            vector.setflags(write=False)  # shared between answers: nobody may change it in place
            hubs = tuple(sorted((k, float(v)) for k, v in (metadata or {}).items() if k.startswith("hub_")))
            fresh[sentence_id] = StoredVector(vector, hubs)
        with self._lock:
            self._kept.update(fresh)
            while len(self._kept) > self._capacity:
                self._kept.popitem(last=False)
        return {**found, **fresh}
