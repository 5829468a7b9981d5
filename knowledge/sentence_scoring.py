"""Scores the sentences of the retrieved passages: the candidates an answer may quote.

A sentence scores by how much of the question's weighted content it contains (lexical, with the Swedish
stems and compound parts of the analyzer), by how close its e5 vector is to the question's (dense; this is
what carries an English question over to a Swedish sentence), and a little by its passage's rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.concepts import Concept
from knowledge.lexical_index import LexicalIndex
from knowledge.passage_text import sentence_texts
from knowledge.query import Query
from knowledge.retriever import RetrievedPassage
from knowledge.types import Passage

# e5 cosine similarities live in a narrow band: unrelated text scores about 0.75, a paraphrase about 0.9.
DENSE_FLOOR = 0.76
DENSE_CEILING = 0.92
LEXICAL_WEIGHT = 0.55
DENSE_WEIGHT = 0.45
RANK_WEIGHT = 0.08
HEADING_WEIGHT = 0.5
CONTEXT_BONUS = 0.25


@dataclass(frozen=True)
class ScoredSentence:
    sentence_id: str
    passage: Passage
    span: tuple[int, int]
    passage_rank: int
    lexical: float
    dense: float
    score: float
    matched: frozenset[str]
    """Stems of the question that the sentence holds."""
    concepts: frozenset[int] = frozenset()
    """Positions of the question's concepts that the sentence covers."""

    @property
    def text(self) -> str:
        return self.passage.text[self.span[0] : self.span[1]]


class SentenceScorer:
    def __init__(self, lexical: LexicalIndex, sentence_collection: Any) -> None:
        self._lexical = lexical
        self._collection = sentence_collection

    def score(self, query: Query, vector: np.ndarray, retrieved: list[RetrievedPassage]) -> list[ScoredSentence]:
        candidates: dict[tuple[str, int], tuple[str, RetrievedPassage, tuple[int, int]]] = {}
        for hit in retrieved:
            for (sentence_id, _), span in zip(sentence_texts(hit.passage), hit.passage.sentences, strict=True):
                # Overlapping passages share sentences: keep the copy from the better-ranked passage.
                candidates.setdefault((hit.passage.doc_id, hit.passage.start + span[0]), (sentence_id, hit, span))
        if not candidates:
            return []
        ids = [sentence_id for sentence_id, _, _ in candidates.values()]
        vectors = self._vectors(ids)
        denominator = self._mass(query.concepts)
        context_denominator = self._mass(query.context)
        analyzer = self._lexical.analyzer
        scored: list[ScoredSentence] = []
        for sentence_id, hit, (a, b) in candidates.values():
            sentence_terms = analyzer.term_set(hit.passage.text[a:b])
            heading_terms = analyzer.term_set(hit.passage.section_label)
            own, covered, matched = self._covered(query.concepts, sentence_terms, heading_terms)
            earlier, _, _ = self._covered(query.context, sentence_terms, heading_terms)
            # A follow-up's own words decide; the earlier turn's only break ties between sentences.
            lexical = own / denominator if denominator else 0.0
            if context_denominator:
                lexical += CONTEXT_BONUS * earlier / context_denominator
            vector_of = vectors.get(sentence_id)
            dense = float(vector_of @ vector) if vector_of is not None else 0.0
            dense_part = min(max((dense - DENSE_FLOOR) / (DENSE_CEILING - DENSE_FLOOR), 0.0), 1.0)
            score = (
                LEXICAL_WEIGHT * min(lexical, 1.0 + CONTEXT_BONUS)
                + DENSE_WEIGHT * dense_part
                + RANK_WEIGHT / (1 + hit.rank)
            )
            scored.append(
                ScoredSentence(sentence_id, hit.passage, (a, b), hit.rank, lexical, dense, score, matched, covered)
            )
        scored.sort(key=lambda s: -s.score)
        return scored

    def _covered(
        self, concepts: tuple[Concept, ...], sentence_terms: frozenset[str], heading_terms: frozenset[str]
    ) -> tuple[float, frozenset[int], frozenset[str]]:
        """The idf-weighted share of ``concepts`` the sentence (or, at less weight, its heading) covers,
        which concepts (by position) it covers, and the stems it matched."""
        mass = 0.0
        covered: set[int] = set()
        matched: set[str] = set()
        for position, concept in enumerate(concepts):
            credit = concept.credit(sentence_terms)
            if credit:
                covered.add(position)
                matched |= concept.matched(sentence_terms)
            else:
                credit = HEADING_WEIGHT * concept.credit(heading_terms)
            mass += credit * self._idf(concept)
        return mass, frozenset(covered), frozenset(matched)

    def _idf(self, concept: Concept) -> float:
        # A concept the corpus has no word for weighs as much as its rarest: no sentence can cover it.
        known = [self._lexical.idf(form) for form in concept.forms if self._lexical.knows(form)]
        return max(known) if known else self._lexical.idf_ceiling()

    def _mass(self, concepts: tuple[Concept, ...]) -> float:
        return sum(self._idf(concept) for concept in concepts)

    def _vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        got = self._collection.get(ids=ids, include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"], strict=True)}
