"""The same pipeline against real servers: a Chroma server instead of the embedded store, and an
embeddings server speaking the OpenAI protocol instead of the bundled model."""

from __future__ import annotations

from pathlib import Path

import chromadb
from servers import chroma_server, openai_embeddings_server
from testsupport import settings_for

from ingest.pipeline import run_ingest
from knowledge.engine import Engine
from knowledge.index.embedders import create_embedder
from knowledge.index.index_store import COLLECTION_KINDS


def test_chroma_server_mode_indexes_and_answers_through_the_server(warm_data_dir: Path, tmp_path: Path) -> None:
    with chroma_server(tmp_path / "chroma-server") as port:
        settings = settings_for(warm_data_dir, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(port))
        report = run_ingest(settings, create_embedder(settings), show_progress=False)
        assert report.passages > 0 and report.embedded == 0, "vectors come from the warm cache"
        answer = Engine.open(settings).ask("Vem leder internationella beredningen?")
        assert "finansborgarrådet" in answer.citations[0].quote

        names = [c.name for c in chromadb.HttpClient(host="127.0.0.1", port=port).list_collections()]
        assert len(names) == len(COLLECTION_KINDS) and all("-g000001" in n for n in names)
        assert not (warm_data_dir / "index" / "chroma").exists(), "no embedded store in server mode"


def test_openai_embedder_against_a_server_speaking_the_openai_protocol(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "prov.md").write_text(
        "# Testrutiner\n\nProvnämnden beslutar om provärenden. Testkontoret sköter arkivet.\n", encoding="utf-8"
    )
    with openai_embeddings_server() as base_url:
        settings = settings_for(
            tmp_path / "data",
            STRATEGIBOT_EMBEDDER="openai",
            OPENAI_API_KEY="test-key",
            OPENAI_BASE_URL=base_url,
            STRATEGIBOT_OPENAI_EMBEDDING_MODEL="multilingual-e5-small-q4",
        )
        embedder = create_embedder(settings)
        report = run_ingest(settings, embedder, [docs], show_progress=False)
        assert report.added == ("prov.md",) and report.embedded > 0
        engine = Engine.open(settings, embedder)
        answer = engine.ask("Vem beslutar om provärenden?")
        assert not answer.abstained
        assert "Provnämnden beslutar om provärenden" in answer.citations[0].quote
        assert engine.documents()[0].source == "prov.md"
