"""Which sentences an answer quotes follows the fitted selection, and a bad model file names the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testsupport import settings_for, sure_models

from knowledge.answers.quote_selection import QUOTES_MODEL, QuoteSelection
from knowledge.engine import Engine
from knowledge.index.embedders import create_embedder
from knowledge.types import Answer

QUESTIONS = [
    "Vem beslutar om medlemskap i internationella organisationer?",
    "Who handles visits from foreign delegations?",
    "Vad ska ett samarbetsavtal innehålla?",
]


def quote_counts(data_dir: Path, ratio: float) -> list[int]:
    return [len(a.citations) for a in answers(data_dir, QuoteSelection(ratio), QUESTIONS)]


def answers(data_dir: Path, selection: QuoteSelection, questions: list[str]) -> list[Answer]:
    settings = settings_for(data_dir)
    embedder = create_embedder(settings)
    engine = Engine(settings, embedder, quotes=selection, models=sure_models(embedder.name))
    try:
        return [engine.ask(q) for q in questions]
    finally:
        engine.close()


def test_a_lower_close_ratio_quotes_more_runners_up_and_never_more_than_three(corpus_data_dir: Path) -> None:
    strict = quote_counts(corpus_data_dir, 1.0)
    loose = quote_counts(corpus_data_dir, 0.01)
    assert all(s <= n <= 3 for s, n in zip(strict, loose, strict=True))
    assert sum(loose) > sum(strict)


def test_another_dates_answer_is_quoted_only_from_the_fitted_floor(corpus_data_dir: Path) -> None:
    # The 2016 proposal's four directions and the 2008 strategy's three areas: both, newest first, unless
    # the other date's sentence must be certain to answer, which no runner-up is.
    question = ["Vilka inriktningar har stadens internationella strategi?"]
    (both,) = answers(corpus_data_dir, QuoteSelection(1.0, 0.0), question)
    (one,) = answers(corpus_data_dir, QuoteSelection(1.0, 1.0), question)
    assert [c.date for c in both.citations] == sorted({c.date for c in both.citations}, reverse=True)
    assert len({c.date for c in both.citations}) == 2
    assert len(one.citations) == 1


def test_the_shipped_selection_loads() -> None:
    selection = QuoteSelection.load()
    assert 0.0 < selection.close_ratio <= 1.0
    assert 0.0 <= selection.other_date_floor <= 1.0
    assert json.loads(QUOTES_MODEL.read_text(encoding="utf-8"))["median_chars_limit"] > 0


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{}",
        '{"close_ratio": 0, "other_date_floor": 0.2}',
        '{"close_ratio": "many", "other_date_floor": 0.2}',
        '{"close_ratio": 0.6}',
        '{"close_ratio": 0.6, "other_date_floor": 1.5}',
    ],
)
def test_a_missing_or_bad_selection_names_the_fix(tmp_path: Path, content: str) -> None:
    path = tmp_path / "quotes.json"
    if content:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="make fit"):
        QuoteSelection.load(path)
