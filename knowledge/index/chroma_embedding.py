"""The project's embedder as a Chroma embedding function.

Collections are given this function so Chroma never falls back to its default, which downloads a model.
Ingest still passes vectors explicitly: they come from the embedding cache.
"""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from knowledge.index.embedders import Embedder


class ChromaEmbedding(EmbeddingFunction[Documents]):
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return [self._embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "strategibot"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        raise NotImplementedError("open collections through knowledge.index.index_store with the project's embedder")

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"
