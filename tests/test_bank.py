"""The fitted models on the question bank, and the answer behaviours the bank asks for."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from knowledge.engine import Engine
from tests.bank_metrics import answers_of, figures

BANK = Path(__file__).parent / "bank"
TOLERANCE = 0.03


def _questions(split: str) -> list[dict]:
    return [json.loads(line) for line in (BANK / f"{split}.jsonl").read_text(encoding="utf-8").splitlines() if line]


def test_the_bank_is_split_once_and_holds_what_it_should() -> None:
    splits = {name: _questions(name) for name in ("train", "validation", "test")}
    ids = [q["id"] for rows in splits.values() for q in rows]
    assert len(ids) == len(set(ids)) >= 400, "no question is in two splits"
    every = [q for rows in splits.values() for q in rows]
    assert sum(q["lang"] == "en" for q in every) >= 0.4 * len(every)
    assert sum(bool(q.get("abstain")) for q in every) >= 0.25 * len(every)
    conversations = {}
    for name, rows in splits.items():
        for q in rows:
            if q.get("conversation"):
                assert conversations.setdefault(q["conversation"], name) == name, "a conversation stays whole"


@pytest.mark.slow
def test_the_fitted_models_give_the_reported_figures_on_the_test_split(engine: Engine) -> None:
    reported = json.loads((BANK / "report.json").read_text(encoding="utf-8"))["test"]
    questions = _questions("test")
    answers = answers_of(engine, questions, "bank-test")
    measured = figures(questions, answers)
    for name in ("source_at_1", "source_at_3", "answer", "abstain", "declined"):
        assert abs(getattr(measured, name) - reported[name]) <= TOLERANCE, (name, measured, reported)


def test_a_name_is_not_answered_with_a_sentence_that_names_only_the_role(engine: Engine) -> None:
    # The documents say finansborgarrådet leads internationella beredningen, never who holds that office.
    answer = engine.ask("Vad heter finansborgarrådet som leder internationella beredningen?")
    assert not answer.sure, answer.text
    assert answer.abstained or answer.text.startswith("Osäkert om dokumenten svarar på just detta."), answer.text


def test_an_english_document_is_quoted_in_english_without_a_swedish_note(engine: Engine) -> None:
    answer = engine.ask("Which areas do the city's EU projects cover, such as energy efficiency?")
    english = [c for c in answer.citations if c.language == "en"]
    assert english, answer.text
    assert "energy efficiency" in english[0].quote
    assert english[0].url.startswith("https://international.stockholm.se/")
    assert "(quoted in Swedish)" not in answer.text.split("\n")[0] or answer.citations[0].language == "sv"


def test_a_superseded_document_is_marked_as_such(engine: Engine) -> None:
    answer = engine.ask("Vilka tre områden skulle det internationella arbetet inriktas på enligt strategin från 2008?")
    old = [c for c in answer.citations if c.superseded]
    assert old, answer.text
    assert "(ersatt)" in answer.text


def test_documents_of_different_dates_are_both_quoted_newest_first(engine: Engine) -> None:
    # The 2016 proposal names four directions, the 2008 strategy three areas: the asker sees both, dated.
    answer = engine.ask("Vilka områden ska det internationella arbetet inriktas på?")
    dates = [c.date for c in answer.citations]
    assert "2016-09-22" in dates and "2013-11-21" in dates, answer.text
    assert dates == sorted(dates, reverse=True), "newest first"
    assert "Profilering · Omvärldsbevakning · Samverkan · Påverkan" in answer.text
    assert "Positionering · Verksamhetsutveckling · Bevakning och påverkan" in answer.text
    assert "(ersatt)" in answer.text


def test_suggestions_after_an_abstention_are_questions_the_documents_answer(engine: Engine) -> None:
    answer = engine.ask("Vad heter finansborgarrådet?")
    assert answer.abstained
    assert 2 <= len(answer.suggestions) <= 3, answer.suggestions
    for suggestion in answer.suggestions:
        assert suggestion.endswith("?")
        followed = engine.ask(suggestion)
        assert not followed.abstained and followed.citations, suggestion


def test_suggestions_for_an_english_question_keep_to_english_around_quoted_swedish_headings(engine: Engine) -> None:
    answer = engine.ask("Who chairs the international committee?", next_questions=True)
    assert answer.suggestions
    for suggestion in answer.suggestions:
        outside_quotes = re.sub(r"“[^”]*”", "", suggestion)
        assert not re.search(r"[åäöÅÄÖ]", outside_quotes), suggestion
        assert not engine.ask(suggestion).abstained, suggestion


def test_a_yes_or_no_question_is_answered_yes_or_no_before_the_quote(sure_engine: Engine) -> None:
    engine = sure_engine
    no = engine.ask("Får vi teckna vänortsavtal?")
    assert no.text.startswith("Nej."), no.text
    assert "tecknar inte vänortsavtal" in no.citations[0].quote
    yes = engine.ask("Kan staden teckna intentionsavtal?")
    assert yes.text.startswith("Ja."), yes.text
    assert "kan teckna intentionsavtal" in yes.citations[0].quote


def test_an_answer_offers_questions_to_ask_next_that_are_answered_too(sure_engine: Engine, engine: Engine) -> None:
    answer = sure_engine.ask("Får vi teckna vänortsavtal?", next_questions=True)
    assert not answer.abstained and answer.suggestions
    quoted = " ".join(c.quote for c in answer.citations)
    for suggestion in answer.suggestions:
        followed = engine.ask(suggestion)
        assert not followed.abstained, suggestion
        assert followed.citations[0].quote not in quoted, "a follow-up leads somewhere new"
