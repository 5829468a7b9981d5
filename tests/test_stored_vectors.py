"""Sentence vectors are read from Chroma once, kept within a bound, and come back unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings

from knowledge.index.stored_vectors import StoredVectors


class CountingCollection:
    """A real Chroma collection that counts the ids it is asked for."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.asked: list[str] = []

    def get(self, ids: list[str], include: list[str]) -> Any:
        self.asked.extend(ids)
        return self._collection.get(ids=ids, include=include)


@pytest.fixture
def collection(tmp_path: Path) -> CountingCollection:
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    real = client.create_collection(
        "test-sentences", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(5, 8)).astype(np.float32)
    real.add(
        ids=[f"s{i}" for i in range(5)],
        embeddings=list(vectors),
        metadatas=[{"passage_id": "p", "hub_sv": 0.1 * i, "hub_en": 0.2 * i} for i in range(5)],
    )
    return CountingCollection(real)


def test_vectors_and_hubness_come_from_chroma_once(collection: CountingCollection) -> None:
    stored = StoredVectors(collection)
    first = stored.get(["s1", "s3"])
    assert collection.asked == ["s1", "s3"]
    again = stored.get(["s3", "s4", "s1"])
    assert collection.asked == ["s1", "s3", "s4"], "only the id not seen before is read"
    assert np.array_equal(first["s1"].vector, again["s1"].vector)
    assert again["s3"].hub("sv") == pytest.approx(0.3) and again["s3"].hub("en") == pytest.approx(0.6)
    assert again["s3"].hub("fi") == 0.0
    with pytest.raises(ValueError):
        again["s1"].vector[0] = 1.0  # shared between answers: read-only


def test_at_most_capacity_vectors_are_kept_and_the_least_recently_used_go_first(
    collection: CountingCollection,
) -> None:
    stored = StoredVectors(collection, capacity=2)
    stored.get(["s0", "s1"])
    stored.get(["s0"])  # s0 is now the more recently used
    stored.get(["s2"])  # s1 goes
    collection.asked.clear()
    stored.get(["s0", "s1", "s2"])
    assert collection.asked == ["s1"]
