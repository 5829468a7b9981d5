"""Decides from the evidence whether the documents answer a question. Wrong confidence is worse than
"I don't know".

Neither vocabulary nor dense similarity alone can tell: e5 scores an unrelated question about as close to
its nearest sentence as a real one (0.81 against 0.84), and staff rarely use the documents' own words. The
model weighs the best candidate's evidence (ranker probability and its margin over the runner-up, lexical,
lemma and dense match, dense match beyond the sentence's hubness, heading), how much of the question the
corpus has words for, whether the best sentences hold the kind of answer asked for, and how likely the
question's wording alone makes an unanswerable question (question_prior.py). It is fitted on
the question bank's train split and its threshold chosen on the validation split (`make fit`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.answerability.answer_types import AskedKinds
from knowledge.answerability.linear_model import MODELS_DIR, LinearModel, read_model_file
from knowledge.retrieval.candidates import CANDIDATE_FEATURES, Candidate
from knowledge.retrieval.query import Query

ANSWERABILITY_MODEL = "answerability"
# Kinds whose absence from the evidence means the question is not answered, whatever else matches.
SPECIFIC_KINDS = ("person", "number", "date", "money", "place", "contact", "current")
_SUPPORT = 3

ANSWERABILITY_FEATURES: tuple[str, ...] = (
    "top",
    "margin",
    "top_lexical",
    "top_lemma",
    "top_dense",
    "top_dense_hub",
    "top_dense_passage",
    "top_heading",
    "top_agreement",
    "query_coverage",
    "register",
    "question_prior",
    *(f"wants_{kind}" for kind in SPECIFIC_KINDS),
    "holds_wanted",
    "lacks_wanted",
)
# The direction each feature may push the decision (fitted weights keep these signs): evidence counts for
# an answer, a wanted kind of answer that the evidence lacks counts against it.
ANSWERABILITY_SIGNS: dict[str, int] = {
    name: -1 if name.startswith("wants_") or name in ("lacks_wanted", "question_prior") else 1
    for name in ANSWERABILITY_FEATURES
}
_COLUMN = {name: i for i, name in enumerate(CANDIDATE_FEATURES)}


@dataclass(frozen=True)
class Judgement:
    answerable: bool
    probability: float
    sure: bool = False
    """Answerable with a probability at or above the sure threshold: the answer may lead with the fact.
    An answerable question below it gets the closest passages, none presented as the answer."""


def answerability_features(
    query: Query,
    asked: AskedKinds,
    ranked: list[Candidate],
    register_match: float = 0.0,
    question_prior: float = 0.0,
) -> np.ndarray:
    """``register_match``: how well the best record of the responsibility register covers a who-question
    (0 when none matches). ``question_prior``: log-odds, from the wording alone, that the documents leave
    the question unanswered (question_prior.py; 0 for no opinion)."""
    top = ranked[0].features if ranked else tuple(0.0 for _ in CANDIDATE_FEATURES)
    top_score = ranked[0].score if ranked else 0.0
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    wanted = [k for k in SPECIFIC_KINDS if asked.wants(k)]
    support = ranked[:_SUPPORT]
    holds = [all(c.features[_COLUMN[f"holds_{k}"]] > 0 for k in wanted) for c in support]
    holds_wanted = 1.0 if wanted and any(holds) else 0.0
    lacks_wanted = 1.0 if wanted and not any(holds) else 0.0
    return np.asarray(
        [
            top_score,
            top_score - runner_up,
            top[_COLUMN["lexical"]],
            top[_COLUMN["lemma"]],
            top[_COLUMN["dense"]],
            top[_COLUMN["dense_hub"]],
            top[_COLUMN["dense_passage"]],
            top[_COLUMN["lexical_heading"]],
            top[_COLUMN["agreement"]],
            query.coverage,
            register_match,
            question_prior,
            *(1.0 if asked.wants(kind) else 0.0 for kind in SPECIFIC_KINDS),
            holds_wanted,
            lacks_wanted,
        ],
        dtype=np.float64,
    )


class AnswerabilityJudge:
    def __init__(self, model: LinearModel, sure_threshold: float | None = None) -> None:
        """``sure_threshold``: the probability from which an answer is given as sure (chosen by `make fit`
        on documents held out of the fit); None: every answer is sure."""
        self._model = model
        self._sure_threshold = model.threshold if sure_threshold is None else max(sure_threshold, model.threshold)

    @property
    def model(self) -> LinearModel:
        return self._model

    @classmethod
    def load(cls) -> AnswerabilityJudge:
        # One read of the file: the model and its sure threshold.
        data = read_model_file(ANSWERABILITY_MODEL)
        path = MODELS_DIR / f"{ANSWERABILITY_MODEL}.json"
        return cls(
            LinearModel.from_file_data(ANSWERABILITY_MODEL, ANSWERABILITY_FEATURES, path, data),
            data.get("sure_threshold"),
        )

    def judge(
        self,
        query: Query,
        asked: AskedKinds,
        ranked: list[Candidate],
        register_match: float = 0.0,
        question_prior: float = 0.0,
    ) -> Judgement:
        if not ranked:
            return Judgement(False, 0.0)
        features = answerability_features(query, asked, ranked, register_match, question_prior)
        probability = self._model.probability(features)
        answerable = probability >= self._model.threshold
        return Judgement(answerable, probability, answerable and probability >= self._sure_threshold)
