"""How close a sentence comes to every question: its hubness, per language of the question.

e5 puts some sentences near almost any question in their language: long lists ("The City has several
ongoing EU-projects within a wide range of areas: …"), contact lines, sentences that restate a document's
title. By raw similarity such a sentence tops the ranking for questions it does not answer, and English
questions pull English sentences above the Swedish ones that answer them. A sentence's hubness is its mean
similarity to the ``NEIGHBOURS`` nearest of a pool of typical staff questions in one language; its
similarity to a question minus its hubness for that question's language is how much closer it is to this
question than to questions in general (cross-domain similarity local scaling, Conneau et al., 2018).

The pool is the train split of the question bank, written to ``data/reference_questions.tsv`` by
`make fit`. Only the questions are used, not their answers, so hubness is computed the same way for the
sentences of any document a user adds.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.types import Language

REFERENCE_QUESTIONS = Path(__file__).parents[1] / "data" / "reference_questions.tsv"
LANGUAGES: tuple[Language, ...] = ("sv", "en")
NEIGHBOURS = 10
_ROWS_AT_ONCE = 4096


@dataclass(frozen=True)
class ReferenceQuestions:
    """Typical questions by language: the pool that sentences' hubness is measured against."""

    by_language: dict[Language, tuple[str, ...]]

    @property
    def fingerprint(self) -> str:
        """Changes whenever the pool does, so that an ingest measures every sentence again."""
        digest = hashlib.sha256()
        for language in sorted(self.by_language):
            for question in self.by_language[language]:
                digest.update(f"{language}\t{question}\n".encode())
        return digest.hexdigest()[:16]

    @classmethod
    def load(cls, path: Path = REFERENCE_QUESTIONS) -> ReferenceQuestions:
        if not path.exists():
            return cls.from_questions(())
        with path.open(encoding="utf-8", newline="") as handle:
            return cls.from_questions((row[0], row[1]) for row in csv.reader(handle, delimiter="\t") if len(row) == 2)  # type: ignore[misc]

    @classmethod
    def from_questions(cls, questions: Iterable[tuple[Language, str]]) -> ReferenceQuestions:
        """The pool made of these questions, as `write` and then `load` would make it."""
        by_language: dict[Language, list[str]] = {language: [] for language in LANGUAGES}
        for language, text in _rows(questions):
            if language in by_language:
                by_language[language].append(text)
        return cls({language: tuple(texts) for language, texts in by_language.items()})

    @staticmethod
    def write(questions: Iterable[tuple[Language, str]], path: Path = REFERENCE_QUESTIONS) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, delimiter="\t", lineterminator="\n").writerows(_rows(questions))


def _rows(questions: Iterable[tuple[Language, str]]) -> list[tuple[Language, str]]:
    return sorted({(language, " ".join(text.split())) for language, text in questions if text.strip()})


def hubness(sentence_vectors: np.ndarray, question_vectors: np.ndarray, neighbours: int = NEIGHBOURS) -> np.ndarray:
    """Each sentence's mean cosine similarity to its ``neighbours`` nearest questions (0 without questions).

    Both arrays hold L2-normalised rows, so a dot product is the cosine similarity."""
    count = len(sentence_vectors)
    if count == 0 or len(question_vectors) == 0:
        return np.zeros(count, dtype=np.float32)
    k = min(neighbours, len(question_vectors))
    out = np.empty(count, dtype=np.float32)
    for start in range(0, count, _ROWS_AT_ONCE):
        similarities = sentence_vectors[start : start + _ROWS_AT_ONCE] @ question_vectors.T
        nearest = np.partition(similarities, similarities.shape[1] - k, axis=1)[:, -k:]
        out[start : start + _ROWS_AT_ONCE] = nearest.mean(axis=1)
    return out


def hub_key(language: str) -> str:
    """The sentence metadata field that holds its hubness for questions in ``language``."""
    return f"hub_{language}"


def sentence_hubness(
    sentence_ids: Sequence[str],
    sentence_vectors: np.ndarray,
    question_vectors: dict[Language, np.ndarray],
) -> dict[str, dict[str, float]]:
    """Metadata fields ``hub_sv`` and ``hub_en`` for each sentence id."""
    per_language = {language: hubness(sentence_vectors, vectors) for language, vectors in question_vectors.items()}
    return {
        sentence_id: {hub_key(language): float(values[row]) for language, values in per_language.items()}
        for row, sentence_id in enumerate(sentence_ids)
    }
