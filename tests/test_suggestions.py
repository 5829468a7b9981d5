"""Questions to suggest read as questions a person would ask: never about a photo caption set as a heading,
nor about a part of the document ("... synpunkter"). The sections are test data made by the test."""

from __future__ import annotations

from knowledge.answers.suggestions import section_question
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
