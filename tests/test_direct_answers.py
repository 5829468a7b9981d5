"""The direct answer an extract opens with: only when the sentence gives it plainly."""

from __future__ import annotations

from knowledge.answerability.answer_types import asked_kinds
from knowledge.answers.direct import direct_lead


def lead(question: str, sentence: str, share: float = 1.0, language: str = "sv") -> str:
    return direct_lead(question, asked_kinds(question), sentence, share, language)  # type: ignore[arg-type]


def test_a_negated_sentence_answers_no_and_a_plain_one_yes() -> None:
    assert lead("Får vi teckna testavtal?", "Staden tecknar inte testavtal.") == "Nej."
    assert lead("Får vi teckna testavtal?", "Staden kan teckna testavtal.") == "Ja."
    assert lead("May we sign test agreements?", "The city does not sign test agreements.", language="en") == "No."


def test_no_yes_or_no_when_the_sentence_holds_too_little_of_the_question() -> None:
    assert lead("Får vi teckna testavtal?", "Staden tecknar inte testavtal.", share=0.3) == ""


def test_no_yes_or_no_for_a_negated_question_whose_answer_would_read_backwards() -> None:
    assert lead("Får vi inte teckna testavtal?", "Staden tecknar inte testavtal.") == ""


def test_a_date_question_opens_with_the_one_date_the_sentence_names() -> None:
    assert lead("När är sista dag för testsvar?", "Svar ska lämnas senast den 17 oktober 2016.") == "17 oktober 2016."
    assert lead("When is the test deadline?", "Answers by 2016-10-17 at the latest.", language="en") == "2016-10-17."


def test_two_dates_give_no_lead_since_either_may_be_the_answer() -> None:
    assert lead("När är sista dag?", "Remissen kom 1 september 2016 och svar ska lämnas 17 oktober 2016.") == ""


def test_a_count_is_not_a_year_and_a_name_is_two_capitalised_words() -> None:
    assert lead("Hur många testmöten hålls?", "Testgruppen möts 10 gånger år 2016.") == "10."
    assert lead("Vad heter testhandläggaren?", "Handläggare är Testa Testsson.") == "Testa Testsson."


def test_a_year_inside_a_name_is_no_date_answer() -> None:
    # "Vision 2040" names a vision; it does not say when anything is valid to.
    assert lead("Hur länge gäller testplanen?", "Testplanen utgår från Vision 2040.") == ""
    assert lead("När antogs testplanen?", "Testplanen antogs 2019 och utgår från Vision 2040.") == "2019."
    assert lead("Sedan när är kommunen med?", "Sedan 2007 är kommunen medlem i testnätverket.") == "2007."
