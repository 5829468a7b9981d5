"""How likely a question is, from its wording alone, to ask for something the documents leave out.

Questions the documents do not answer are often of a recognisable kind: they ask for a name where the text
gives a role, for an address, a form, a template, a count, or for how things stand today. A logistic model
over the question's e5 vector, fitted on the question bank's train split (`make fit`), gives that prior as
a log-odds; the answerability model weighs it beside the evidence. It can only count against answering
(see judge.ANSWERABILITY_SIGNS), and alone it decides nothing.

The vector belongs to one embedder: with another (STRATEGIBOT_EMBEDDER=openai) the prior is 0, which the
answerability model reads as "no opinion".
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.answerability.linear_model import MODELS_DIR

QUESTION_PRIOR_MODEL = MODELS_DIR / "question_prior.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuestionPrior:
    embedder: str
    """The embedder whose question vectors the weights were fitted on."""
    weights: np.ndarray
    intercept: float

    @classmethod
    def load(cls, path: Path = QUESTION_PRIOR_MODEL) -> QuestionPrior:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(str(data["embedder"]), np.asarray(data["weights"], dtype=np.float64), float(data["intercept"]))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path} is missing or unreadable ({error}); run `make fit` to write it.") from error

    @classmethod
    def shipped(cls, embedder: str, path: Path = QUESTION_PRIOR_MODEL) -> QuestionPrior | None:
        """The prior `make fit` wrote, for this embedder's vectors; None when the fit left it out (it is kept
        only when it helps on documents held out of the fit) or it was fitted on another embedder."""
        if not path.exists():
            return None
        return cls.load(path).for_embedder(embedder)

    def for_embedder(self, name: str) -> QuestionPrior | None:
        """This prior if it was fitted on ``name``'s vectors; otherwise None (and a note in the log)."""
        if name == self.embedder:
            return self
        log.info("the question prior was fitted on %s vectors, not %s: it is left out", self.embedder, name)
        return None

    def log_odds(self, vector: np.ndarray) -> float:
        """Log-odds that a question with this vector is not answered by the documents."""
        if vector.shape != self.weights.shape:
            return 0.0
        return float(vector @ self.weights + self.intercept)

    def write(self, meta: dict[str, object], path: Path = QUESTION_PRIOR_MODEL) -> None:
        data = {"embedder": self.embedder, "intercept": self.intercept, "weights": self.weights.tolist(), **meta}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
