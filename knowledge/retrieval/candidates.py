"""Candidate sentences for a question, each described by the evidence features the fitted models weigh.

Candidates come from two places: the sentences of the best passages by hybrid retrieval (BM25 and dense
passage vectors fused by reciprocal rank), and the sentences nearest to the question by their own dense
vectors, which finds a sentence in the middle of a long passage that the passage as a whole hides.

Each candidate gets the same features, so that one ranker orders them and one answerability model judges
the best: how much of the question it holds (stems, lemmas, its heading), how close it is in meaning
(sentence, passage, and the sentence beyond its closeness to questions in general: see index/hubness.py),
how it ranks by each signal and whether the signals agree, and whether it holds the kind of answer asked
for (a person, a number, a date, ...).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.answerability.answer_types import KINDS, AskedKinds, held_kinds
from knowledge.index.lexical_index import LexicalIndex
from knowledge.index.stored_vectors import StoredVectors
from knowledge.retrieval.concepts import Concept
from knowledge.retrieval.lemmas import Lemmatizer
from knowledge.retrieval.passages import HybridRetriever, PassageEvidence
from knowledge.retrieval.query import Query
from knowledge.text.passage_text import sentence_id_of, sentence_texts
from knowledge.types import IndexedDocument, Passage

# e5 cosine similarities live in a narrow band: unrelated text about 0.75, a paraphrase about 0.9.
DENSE_FLOOR = 0.75
PASSAGES = 8
NEAREST_SENTENCES = 24
HEADING_WEIGHT = 0.5
# Sentence analyses kept for reuse: every sentence of the bundled corpus, the busy part of a large one.
# Unbounded, a 100,000-passage index would keep one for each of its 366,000 sentences as they come up.
ANALYSES_KEPT = 20_000

CANDIDATE_FEATURES: tuple[str, ...] = (
    "lexical",
    "lexical_heading",
    "lexical_context",
    "lemma",
    "dense",
    "dense_gap",
    "dense_hub",
    "dense_hub_gap",
    "dense_window",
    "dense_window_gap",
    "dense_passage",
    "passage_fused",
    "passage_bm25",
    "dense_rank",
    "lexical_rank",
    "agreement",
    "query_coverage",
    "sentence_length",
    "language_match",
    "superseded",
    "blend",
    *(f"wants_{kind}" for kind in KINDS),
    *(f"holds_{kind}" for kind in KINDS),
)


@dataclass(frozen=True)
class Candidate:
    """A sentence that may answer the question, with its evidence."""

    sentence_id: str
    passage: Passage
    span: tuple[int, int]
    passage_rank: int
    lexical: float
    dense: float
    matched: frozenset[str]
    """Stems of the question that the sentence holds."""
    concepts: frozenset[int]
    """Positions of the question's concepts that the sentence covers."""
    features: tuple[float, ...]
    score: float = 0.0
    """The ranker's probability that this sentence answers the question."""

    @property
    def text(self) -> str:
        return self.passage.text[self.span[0] : self.span[1]]


def _blend(lexical: float, context: float, dense: float, passage_rank: int) -> float:
    """A hand-set mix of the main signals (the question's own words, an earlier turn's words at a quarter,
    closeness in meaning, the passage's rank): one smooth feature the linear ranker can lean on where the
    separate signals are too sparse to weigh, such as follow-ups."""
    dense_part = min(max((dense - 0.76) / (0.92 - 0.76), 0.0), 1.0)
    return 0.55 * min(lexical + 0.25 * context, 1.25) + 0.45 * dense_part + 0.08 / (1 + passage_rank)


@dataclass(frozen=True)
class _SentenceRef:
    passage_row: int
    span: tuple[int, int]


@dataclass(frozen=True)
class _Closeness:
    similarity: float
    """Cosine similarity to the question."""
    beyond_hub: float
    """The similarity minus the text's hubness for the question's language (index/hubness.py)."""


_FAR = _Closeness(DENSE_FLOOR, 0.0)


@dataclass(frozen=True)
class _SentenceAnalysis:
    """What a sentence's features need from its text alone: worked out once, the first time it is a
    candidate, since the same sentences come up for question after question."""

    text: str
    terms: frozenset[str]
    heading_terms: frozenset[str]
    lemmas: frozenset[str]
    held: frozenset[str]
    language: str
    superseded: bool


class CandidateFinder:
    def __init__(
        self,
        passages: Sequence[Passage],
        documents: dict[str, IndexedDocument],
        lexical: LexicalIndex,
        retriever: HybridRetriever,
        sentence_collection: Any,
        window_collection: Any,
        lemmatizer: Lemmatizer,
        bodies: frozenset[str],
    ) -> None:
        self._passages = passages
        self._documents = documents
        self._lexical = lexical
        self._retriever = retriever
        self._sentences = sentence_collection
        self._sentence_vectors = StoredVectors(sentence_collection)
        self._window_vectors = StoredVectors(window_collection)
        self._lemmatizer = lemmatizer
        self._bodies = bodies
        self._analysed: dict[str, _SentenceAnalysis] = {}
        # Each sentence's passage row and number in it, and the ids of each sentence's copies (overlapping
        # passages share sentences), held as tuples of ints and of strings: the garbage collector stops
        # tracking those, so at 100,000 passages its full collections need not walk hundreds of thousands
        # of objects.
        self._rows: dict[str, tuple[int, int]] = {}
        copies: dict[tuple[str, int], list[str]] = {}
        for row, passage in enumerate(passages):
            for number, (start, _) in enumerate(passage.sentences):
                identifier = sentence_id_of(passage, number)
                self._rows[identifier] = (row, number)
                copies.setdefault((passage.doc_id, passage.start + start), []).append(identifier)
        self._copies = {position: tuple(ids) for position, ids in copies.items()}

    def find(self, query: Query, vector: np.ndarray, asked: AskedKinds) -> list[Candidate]:
        evidence = self._retriever.evidence(query, vector)
        chosen: dict[tuple[str, int], str] = {}
        for row in evidence.fused_rows[:PASSAGES]:
            passage = self._passages[row]
            for sentence_id, _ in sentence_texts(passage):
                # Overlapping passages share sentences: keep the copy from the better-ranked passage.
                chosen.setdefault(self._position(sentence_id), sentence_id)
        for position in self._nearest_positions(vector):
            if position not in chosen:
                # Copies of a sentence in overlapping passages are equally near, and the vector store may
                # return either: take the one in the best-ranked passage, so that the same question always
                # gets the same candidates.
                chosen[position] = min(
                    self._copies[position],
                    key=lambda c: (evidence.fused_rank.get(self._rows[c][0], len(self._passages)), c),
                )
        ids = list(chosen.values())
        if not ids:
            return []
        sentences = self._closeness(self._sentence_vectors, ids, vector, query.language)
        windows = self._closeness(self._window_vectors, ids, vector, query.language)
        return self._describe(query, asked, evidence, ids, sentences, windows)

    # --- features ----------------------------------------------------------------------------------

    def _describe(
        self,
        query: Query,
        asked: AskedKinds,
        evidence: PassageEvidence,
        ids: list[str],
        sentences: dict[str, _Closeness],
        windows: dict[str, _Closeness],
    ) -> list[Candidate]:
        denominator = self._mass(query.concepts)
        context_denominator = self._mass(query.context)
        question_lemmas = self._question_lemmas(query)
        lemma_mass = sum(question_lemmas.values())
        coverage = query.coverage
        rows: list[dict[str, Any]] = []
        for sentence_id in ids:
            ref = self._ref(sentence_id)
            passage = self._passages[ref.passage_row]
            sentence = self._analysis(sentence_id, ref, passage)
            own, covered, matched = self._covered(query.concepts, sentence.terms, frozenset())
            heading_own, _, _ = self._covered(query.concepts, sentence.heading_terms, frozenset())
            earlier, _, _ = self._covered(query.context, sentence.terms, sentence.heading_terms)
            lemma = (
                sum(w for lemma_, w in question_lemmas.items() if lemma_ in sentence.lemmas) / lemma_mass
                if lemma_mass
                else 0.0
            )
            closeness = sentences.get(sentence_id, _FAR)
            window = windows.get(sentence_id, _FAR)
            rows.append(
                {
                    "sentence_id": sentence_id,
                    "passage": passage,
                    "ref": ref,
                    "lexical": own / denominator if denominator else 0.0,
                    "lexical_heading": heading_own / denominator if denominator else 0.0,
                    "lexical_context": earlier / context_denominator if context_denominator else 0.0,
                    "lemma": lemma,
                    "dense": closeness.similarity,
                    "dense_hub": closeness.beyond_hub,
                    "dense_window": window.beyond_hub,
                    "matched": matched,
                    "covered": covered,
                    "held": sentence.held,
                    "language": sentence.language,
                    "superseded": sentence.superseded,
                    "length": len(sentence.text),
                }
            )
        best_dense = max(r["dense"] for r in rows)
        best_hub = max(r["dense_hub"] for r in rows)
        best_window = max(r["dense_window"] for r in rows)
        dense_order = {r["sentence_id"]: i for i, r in enumerate(sorted(rows, key=lambda r: -r["dense"]))}
        lexical_order = {
            r["sentence_id"]: i for i, r in enumerate(sorted(rows, key=lambda r: -(r["lexical"] + r["lemma"])))
        }
        max_bm25 = float(evidence.lexical_scores.max()) if evidence.lexical_scores.size else 0.0
        candidates = []
        for r in rows:
            row = r["ref"].passage_row
            fused_rank = evidence.fused_rank.get(row, len(self._passages))
            lexical_rank = evidence.lexical_rank.get(row)
            dense_rank = evidence.dense_rank.get(row)
            agreement = (
                1.0 / (1.0 + abs(lexical_rank - dense_rank))
                if lexical_rank is not None and dense_rank is not None
                else 0.0
            )
            features = [
                min(r["lexical"], 1.0),
                min(r["lexical_heading"], 1.0),
                min(r["lexical_context"], 1.0),
                r["lemma"],
                max(r["dense"] - DENSE_FLOOR, 0.0) * 10,
                (r["dense"] - best_dense) * 10,
                r["dense_hub"] * 10,
                (r["dense_hub"] - best_hub) * 10,
                r["dense_window"] * 10,
                (r["dense_window"] - best_window) * 10,
                max(evidence.dense_similarity.get(row, DENSE_FLOOR) - DENSE_FLOOR, 0.0) * 10,
                1.0 / (1.0 + fused_rank),
                float(evidence.lexical_scores[row]) / max_bm25 if max_bm25 > 0 else 0.0,
                1.0 / (1.0 + dense_order[r["sentence_id"]]),
                1.0 / (1.0 + lexical_order[r["sentence_id"]]),
                agreement,
                coverage,
                math.log1p(r["length"]) / 6.0,
                1.0 if r["language"] == query.language else 0.0,
                1.0 if r["superseded"] else 0.0,
                _blend(r["lexical"], r["lexical_context"], r["dense"], fused_rank),
                *(1.0 if asked.wants(kind) else 0.0 for kind in KINDS),
                *(1.0 if asked.wants(kind) and kind in r["held"] else 0.0 for kind in KINDS),
            ]
            candidates.append(
                Candidate(
                    sentence_id=r["sentence_id"],
                    passage=r["passage"],
                    span=r["ref"].span,
                    passage_rank=fused_rank,
                    lexical=r["lexical"],
                    dense=r["dense"],
                    matched=r["matched"],
                    concepts=r["covered"],
                    features=tuple(features),
                )
            )
        return candidates

    def _analysis(self, sentence_id: str, ref: _SentenceRef, passage: Passage) -> _SentenceAnalysis:
        known = self._analysed.get(sentence_id)
        if known is not None:
            return known
        analyzer = self._lexical.analyzer
        document = self._documents.get(passage.doc_id)
        text = passage.text[ref.span[0] : ref.span[1]]
        language = document.meta.language if document else "sv"
        heading = passage.section_label + (" " + document.meta.title if document else "")
        analysis = _SentenceAnalysis(
            text=text,
            terms=analyzer.term_set(text),
            heading_terms=analyzer.term_set(heading),
            lemmas=frozenset(self._lemmatizer.lemma_set(text, language)),
            held=held_kinds(text, self._bodies),
            language=language,
            superseded=bool(document and document.meta.superseded),
        )
        if len(self._analysed) >= ANALYSES_KEPT:
            self._analysed.pop(next(iter(self._analysed)), None)  # the oldest (pop: another ask may be first)
        self._analysed[sentence_id] = analysis
        return analysis

    def _question_lemmas(self, query: Query) -> dict[str, float]:
        """The question's content lemmas, weighted by the rarity of their stems in the corpus."""
        weights: dict[str, float] = {}
        ceiling = self._lexical.idf_ceiling()
        analyzer = self._lexical.analyzer
        for word in analyzer.content_words(query.question):
            stem = analyzer.stem(word)
            weight = self._lexical.idf(stem) if self._lexical.knows(stem) else ceiling
            for lemma in self._lemmatizer.lemmas_of(word):
                weights[lemma] = max(weights.get(lemma, 0.0), weight)
        for concept in query.concepts:
            # English names of bodies carry their Swedish names ("City Executive Board" → kommunstyrelse).
            for form in concept.forms:
                weights.setdefault(form, self._lexical.idf(form) if self._lexical.knows(form) else ceiling)
        return weights

    def _covered(
        self, concepts: tuple[Concept, ...], sentence_terms: frozenset[str], heading_terms: frozenset[str]
    ) -> tuple[float, frozenset[int], frozenset[str]]:
        mass = 0.0
        covered: set[int] = set()
        matched: set[str] = set()
        for position, concept in enumerate(concepts):
            credit = concept.credit(sentence_terms)
            if credit:
                covered.add(position)
                matched |= concept.matched(sentence_terms)
            elif heading_terms:
                credit = HEADING_WEIGHT * concept.credit(heading_terms)
            mass += credit * self._idf(concept)
        return mass, frozenset(covered), frozenset(matched)

    def _idf(self, concept: Concept) -> float:
        known = [self._lexical.idf(form) for form in concept.forms if self._lexical.knows(form)]
        return max(known) if known else self._lexical.idf_ceiling()

    def _mass(self, concepts: tuple[Concept, ...]) -> float:
        return sum(self._idf(concept) for concept in concepts)

    def _nearest_positions(self, vector: np.ndarray) -> list[tuple[str, int]]:
        """The NEAREST_SENTENCES sentences nearest to the question, as (document, offset) positions.

        Copies of one sentence in overlapping passages take a result each, and which copies the vector
        store returns among equal distances varies from one index build to the next; so twice as many are
        asked for, ordered by distance and then by position, and counted once per position."""
        count = min(2 * NEAREST_SENTENCES, len(self._rows))
        if count == 0:
            return []
        result = self._sentences.query(query_embeddings=[vector], n_results=count, include=["distances"])
        found = sorted(
            (float(distance), self._position(sentence_id))
            for sentence_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
            if sentence_id in self._rows
        )
        return list(dict.fromkeys(position for _, position in found))[:NEAREST_SENTENCES]

    def _ref(self, sentence_id: str) -> _SentenceRef:
        """The sentence's passage row and span."""
        row, number = self._rows[sentence_id]
        return _SentenceRef(row, self._passages[row].sentences[number])

    def _position(self, sentence_id: str) -> tuple[str, int]:
        """Where a sentence starts in its document: the same for its copies in overlapping passages."""
        ref = self._ref(sentence_id)
        passage = self._passages[ref.passage_row]
        return (passage.doc_id, passage.start + ref.span[0])

    @staticmethod
    def _closeness(stored: StoredVectors, ids: list[str], vector: np.ndarray, language: str) -> dict[str, _Closeness]:
        """How close each of ``ids`` (as sentences, or as their windows) is to the question."""
        found = stored.get(ids)
        if not found:
            return {}
        keys = list(found)
        similarities = np.stack([found[k].vector for k in keys]) @ vector
        return {
            k: _Closeness(float(s), float(s) - found[k].hub(language)) for k, s in zip(keys, similarities, strict=True)
        }
