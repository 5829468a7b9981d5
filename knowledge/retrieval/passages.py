"""Hybrid retrieval: BM25 over Swedish stems and dense e5 vectors in Chroma, fused by reciprocal rank.

Neither alone is enough here: dense vectors carry English questions over to Swedish text but blur body
names, BM25 keeps names exact but shares no words with an English question unless the glossary adds them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.index.lexical_index import LexicalIndex
from knowledge.index.query_vectors import QueryVectors
from knowledge.retrieval.query import PREVIOUS_TURN_WEIGHT, Query
from knowledge.types import Passage

RRF_K = 60
CANDIDATES = 30


@dataclass(frozen=True)
class PassageEvidence:
    """How every signal ranks the passages for one question (rows of the passage table)."""

    fused_rows: list[int]
    fused_rank: dict[int, int]
    lexical_scores: np.ndarray
    lexical_rank: dict[int, int]
    dense_similarity: dict[int, float]
    dense_rank: dict[int, int]


@dataclass(frozen=True)
class RetrievedPassage:
    passage: Passage
    rank: int
    fused: float
    dense: float
    lexical: float


class HybridRetriever:
    def __init__(
        self, passages: list[Passage], lexical: LexicalIndex, collection: Any, query_vectors: QueryVectors
    ) -> None:
        self._passages = passages
        self._row_of = {p.passage_id: i for i, p in enumerate(passages)}
        self._lexical = lexical
        self._collection = collection
        self._query_vectors = query_vectors

    def query_vector(self, query: Query) -> np.ndarray:
        return self._query_vectors.vector(query.dense_text)

    def retrieve(
        self, query: Query, vector: np.ndarray, limit: int = 6, dense: bool = True, lexical: bool = True
    ) -> list[RetrievedPassage]:
        fused: dict[int, float] = defaultdict(float)
        dense_scores: dict[int, float] = {}
        lexical_scores = self.lexical_scores(query) if lexical else np.zeros(len(self._passages))
        if lexical:
            order = np.argsort(-lexical_scores)[:CANDIDATES]
            for rank, row in enumerate(r for r in order if lexical_scores[r] > 0):
                fused[int(row)] += 1.0 / (RRF_K + rank + 1)
        if dense:
            for rank, (row, similarity) in enumerate(self._dense(vector)):
                dense_scores[row] = similarity
                fused[row] += 1.0 / (RRF_K + rank + 1)
        ranked = sorted(fused.items(), key=lambda item: -item[1])[:limit]
        return [
            RetrievedPassage(self._passages[row], rank, score, dense_scores.get(row, 0.0), float(lexical_scores[row]))
            for rank, (row, score) in enumerate(ranked)
        ]

    def evidence(self, query: Query, vector: np.ndarray) -> PassageEvidence:
        lexical_scores = self.lexical_scores(query)
        order = [int(r) for r in np.argsort(-lexical_scores)[:CANDIDATES] if lexical_scores[r] > 0]
        lexical_rank = {row: rank for rank, row in enumerate(order)}
        dense = self._dense(vector)
        dense_rank = {row: rank for rank, (row, _) in enumerate(dense)}
        fused: dict[int, float] = defaultdict(float)
        for row, rank in lexical_rank.items():
            fused[row] += 1.0 / (RRF_K + rank + 1)
        for row, rank in dense_rank.items():
            fused[row] += 1.0 / (RRF_K + rank + 1)
        fused_rows = [row for row, _ in sorted(fused.items(), key=lambda item: -item[1])]
        return PassageEvidence(
            fused_rows=fused_rows,
            fused_rank={row: rank for rank, row in enumerate(fused_rows)},
            lexical_scores=lexical_scores,
            lexical_rank=lexical_rank,
            dense_similarity=dict(dense),
            dense_rank=dense_rank,
        )

    def lexical_scores(self, query: Query) -> np.ndarray:
        # Terms of a previous turn count less: group terms by weight, one BM25 pass per group.
        by_weight: dict[float, list[str]] = defaultdict(list)
        for term, weight in query.terms:
            by_weight[weight].append(term)
        for term, weight in query.context_terms:
            by_weight[weight * PREVIOUS_TURN_WEIGHT].append(term)
        total = np.zeros(self._lexical.size, dtype=np.float32)
        for weight, terms in by_weight.items():
            total += weight * self._lexical.scores(terms)
        return total

    def _dense(self, vector: np.ndarray) -> list[tuple[int, float]]:
        count = min(CANDIDATES, len(self._passages))
        if count == 0:
            return []
        result = self._collection.query(query_embeddings=[vector], n_results=count, include=["distances"])
        return [
            (self._row_of[pid], 1.0 - float(distance))
            for pid, distance in zip(result["ids"][0], result["distances"][0], strict=True)
            if pid in self._row_of
        ]
