"""Questions to suggest read as questions a person would ask: never about a photo caption set as a heading,
nor about a part of the document ("... synpunkter"). The sections are test data made by the test."""

from __future__ import annotations

from knowledge.answers.suggestions import section_question
from knowledge.engine import Engine
from knowledge.retrieval.candidates import Candidate
from knowledge.types import DocumentMeta, IndexedDocument, Passage

DOCUMENT = IndexedDocument("d1", "test.txt", "hash", DocumentMeta(title="Testrapport", language="sv"), 3)


def candidate_under(heading: str, text: str) -> Candidate:
    passage = Passage("p1", "d1", text, (heading,), 0, len(text), sentences=((0, len(text)),))
    return Candidate("s1", passage, (0, len(text)), 0, 0.5, 0.8, frozenset(), frozenset(), ())


def test_a_heading_its_section_is_about_becomes_a_question() -> None:
    question = section_question(
        candidate_under("Testnätverkens medlemskap", "Kommunen är medlem i tolv testnätverk sedan 2001."),
        DOCUMENT,
        "sv",
    )
    assert question == "Vad säger dokumenten om testnätverkens medlemskap?"


def test_a_photo_caption_set_as_a_heading_is_not_suggested() -> None:
    caption = candidate_under("Testflagga i Testparken", "Kommunen samverkar i många testnätverk över hela världen.")
    assert section_question(caption, DOCUMENT, "sv") == ""


def test_a_heading_that_names_a_part_of_the_document_is_not_suggested() -> None:
    part = candidate_under("Testkontorets synpunkter", "Testkontoret ställer sig positivt till testförslaget.")
    assert section_question(part, DOCUMENT, "sv") == ""
    assert section_question(part, DOCUMENT, "en") == ""


def test_the_answer_comes_before_its_questions_to_ask_next_and_both_are_what_ask_gives(engine: Engine) -> None:
    for question in ("Vem leder internationella beredningen?", "Vad kostar en pizza i Rom?"):
        together = engine.ask(question, next_questions=True)
        answer, offered = engine.ask_then_offer(question)
        assert answer.text == together.text and answer.citations == together.citations
        if together.abstained:
            assert answer.suggestions == together.suggestions and offered() == ()
        else:
            assert answer.suggestions == () and offered() == together.suggestions
            assert together.suggestions, "an answer in the bundled documents has questions to ask next"
