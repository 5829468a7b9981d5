"""The fitted models one engine answers with."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.answerability.judge import AnswerabilityJudge
from knowledge.answerability.question_prior import QuestionPrior
from knowledge.retrieval.ranker import Ranker


@dataclass(frozen=True)
class FittedModels:
    ranker: Ranker
    judge: AnswerabilityJudge
    prior: QuestionPrior | None
    """None when the prior was fitted on another embedder's vectors, or left out."""
