"""Orders candidate sentences by the fitted ranker's probability that each one answers the question."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from knowledge.answerability.linear_model import LinearModel
from knowledge.retrieval.candidates import CANDIDATE_FEATURES, Candidate

RANKER_MODEL = "ranker"


class Ranker:
    def __init__(self, model: LinearModel) -> None:
        self._model = model

    @classmethod
    def load(cls) -> Ranker:
        return cls(LinearModel.load(RANKER_MODEL, CANDIDATE_FEATURES))

    def rank(self, candidates: list[Candidate]) -> list[Candidate]:
        if not candidates:
            return []
        scores = self._model.probabilities(np.asarray([c.features for c in candidates], dtype=np.float64))
        scored = [replace(c, score=float(s)) for c, s in zip(candidates, scores, strict=True)]
        scored.sort(key=lambda c: -c.score)
        return scored
