"""The unit that answers is quoted whole: a quote that lacks the kind of answer asked for takes the
neighbouring sentence that holds it. The passage is test data made by the test."""

from __future__ import annotations

from knowledge.answerability.answer_types import asked_kinds
from knowledge.answers.extractive import (
    NEIGHBOUR_KINDS,
    with_announced_items,
    with_context,
    with_wanted_neighbour,
    without_repeats,
)
from knowledge.retrieval.candidates import Candidate
from knowledge.types import Passage

SENTENCES = (
    "Testnätverket samlar kommuner som arbetar med testfrågor.",
    "Mellan 2019-2022 satt kommunen i testnätverkets styrgrupp.",
    "Nätverket har ett sekretariat i Testby.",
)
TEXT = " ".join(SENTENCES)


def sentence_candidate(index: int) -> Candidate:
    spans = tuple((TEXT.index(s), TEXT.index(s) + len(s)) for s in SENTENCES)
    passage = Passage("p", "d", TEXT, ("Testnätverket",), 0, len(TEXT), sentences=spans)
    return Candidate("s", passage, spans[index], 0, 0.5, 0.8, frozenset(), frozenset(), ())


def wanted(question: str) -> frozenset[str]:
    return asked_kinds(question).kinds & NEIGHBOUR_KINDS


def test_a_quote_without_the_asked_years_takes_the_next_sentence_that_holds_them() -> None:
    first = sentence_candidate(0)
    quote = with_wanted_neighbour(first, with_context(first), wanted("Vilka år satt kommunen i styrgruppen?"))
    assert quote[0].startswith("Testnätverket samlar kommuner")
    assert quote[1].startswith("Mellan 2019-2022 satt kommunen")


def test_a_quote_that_holds_the_answer_or_is_not_asked_for_one_stays_alone() -> None:
    second = sentence_candidate(1)
    assert len(with_wanted_neighbour(second, with_context(second), wanted("Vilka år satt kommunen där?"))) == 1
    first = sentence_candidate(0)
    assert len(with_wanted_neighbour(first, with_context(first), wanted("Vad gör testnätverket?"))) == 1


def test_the_same_words_in_two_documents_are_quoted_once_and_the_other_document_kept_to_be_named() -> None:
    sentence = "Kommunen tecknar inga testavtal."
    swedish_page = Passage("p1", "sv-page", sentence, (), 0, len(sentence), sentences=((0, len(sentence)),))
    remiss = Passage("p2", "remiss", sentence, (), 0, len(sentence), sentences=((0, len(sentence)),))
    other = Passage("p3", "remiss", "Testavtal prövas vart fjärde år.", (), 0, 32, sentences=((0, 32),))
    chosen = [
        Candidate(f"s{i}", p, (0, len(p.text)), 0, 0.5, 0.8, frozenset(), frozenset(), ())
        for i, p in enumerate((swedish_page, remiss, other))
    ]
    kept, also = without_repeats(chosen)
    assert [c.passage.doc_id for c in kept] == ["sv-page", "remiss"]
    assert kept[1].passage.passage_id == "p3"
    assert also == {0: ["remiss"]}


def passage_of(sentences: tuple[str, ...]) -> Passage:
    text = " ".join(sentences)
    spans = tuple((text.index(s), text.index(s) + len(s)) for s in sentences)
    return Passage("p", "d", text, ("Testlista",), 0, len(text), sentences=spans)


def test_a_sentence_that_announces_a_list_is_quoted_with_its_items() -> None:
    counted = passage_of(
        ("Tre testprinciper gäller:", "Testa tidigt.", "Testa ofta.", "Testa allt.", "Detta beslutades 2099.")
    )
    first = Candidate("s", counted, counted.sentences[0], 0, 0.5, 0.8, frozenset(), frozenset(), ())
    assert with_announced_items(first, with_context(first)) == (
        "Tre testprinciper gäller:",
        "Testa tidigt.",
        "Testa ofta.",
        "Testa allt.",
    )
    uncounted = passage_of(("Testärenden som behandlas är:", "testresor", "testavtal", "testnätverk.", "Annat."))
    first = Candidate("s", uncounted, uncounted.sentences[0], 0, 0.5, 0.8, frozenset(), frozenset(), ())
    assert with_announced_items(first, with_context(first)) == (
        "Testärenden som behandlas är:",
        "testresor ·",
        "testavtal ·",
        "testnätverk.",
    )
    plain = Candidate("s", counted, counted.sentences[1], 0, 0.5, 0.8, frozenset(), frozenset(), ())
    assert with_announced_items(plain, with_context(plain)) == with_context(plain)
