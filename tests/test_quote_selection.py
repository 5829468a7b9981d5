"""How many sentences an answer quotes follows the fitted close ratio, and a bad model file names the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testsupport import settings_for

from knowledge.answers.quote_selection import QUOTES_MODEL, QuoteSelection
from knowledge.engine import Engine
from knowledge.index.embedders import create_embedder

QUESTIONS = [
    "Vem beslutar om medlemskap i internationella organisationer?",
    "Who handles visits from foreign delegations?",
    "Vad ska ett samarbetsavtal innehålla?",
]


def quote_counts(data_dir: Path, ratio: float) -> list[int]:
    settings = settings_for(data_dir)
    engine = Engine(settings, create_embedder(settings), quotes=QuoteSelection(ratio))
    try:
        return [len(engine.ask(q).citations) for q in QUESTIONS]
    finally:
        engine.close()


def test_a_lower_close_ratio_quotes_more_runners_up_and_never_more_than_three(corpus_data_dir: Path) -> None:
    strict = quote_counts(corpus_data_dir, 1.0)
    loose = quote_counts(corpus_data_dir, 0.01)
    assert all(s <= n <= 3 for s, n in zip(strict, loose, strict=True))
    assert sum(loose) > sum(strict)


def test_the_shipped_selection_loads() -> None:
    assert 0.0 < QuoteSelection.load().close_ratio <= 1.0
    assert json.loads(QUOTES_MODEL.read_text(encoding="utf-8"))["median_chars_limit"] > 0


@pytest.mark.parametrize("content", ["", "{}", '{"close_ratio": 0}', '{"close_ratio": "many"}'])
def test_a_missing_or_bad_selection_names_the_fix(tmp_path: Path, content: str) -> None:
    path = tmp_path / "quotes.json"
    if content:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="make fit"):
        QuoteSelection.load(path)
