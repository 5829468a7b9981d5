"""The answering engine: one object that the CLI and the Teams bot share.

It reads the current index generation (Chroma collections, BM25, the passage table), turns a question into
a query, retrieves passages, scores their sentences, decides whether the documents answer at all, and
composes a cited answer. When an ingest switches the index to a new generation, the next question sees it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.answerability.answer_types import AskedKinds, asked_kinds
from knowledge.answerability.fitted_models import FittedModels
from knowledge.answerability.judge import AnswerabilityJudge, Judgement
from knowledge.answerability.question_prior import QuestionPrior
from knowledge.answers.answer_events import AnswerEvent, FinalAnswer
from knowledge.answers.extractive import ExtractiveComposer, source_label
from knowledge.answers.generative import GenerativeAnswerer, create_chat_model, passages_for_model
from knowledge.answers.onboarding import get_started
from knowledge.answers.quote_selection import QuoteSelection
from knowledge.answers.suggestions import MAX_SUGGESTIONS, draft_suggestions
from knowledge.answers.who_answer import WhoAnswerComposer
from knowledge.conversations import ConversationMemory, ConversationStore
from knowledge.decisions.register import RecordMatch, ResponsibilityRegister
from knowledge.index.chroma_embedding import ChromaEmbedding
from knowledge.index.embedders import Embedder, create_embedder
from knowledge.index.index_store import Generation, IndexStore, IndexUnavailable
from knowledge.index.lexical_index import LexicalIndex
from knowledge.index.query_vectors import REMEMBERED_QUESTIONS, QueryVectors
from knowledge.retrieval.candidates import Candidate, CandidateFinder
from knowledge.retrieval.glossary import Glossary
from knowledge.retrieval.lemmas import Lemmatizer
from knowledge.retrieval.passages import HybridRetriever
from knowledge.retrieval.query import PreviousTurn, Query, QueryBuilder
from knowledge.retrieval.ranker import Ranker
from knowledge.settings import Settings
from knowledge.types import Answer, IndexedDocument, Language, Passage, Responsibility, SearchHit

SNIPPET_CHARS = 220


@dataclass(frozen=True)
class _Loaded:
    """Everything read from one index generation; replaced whole when the generation changes."""

    generation: Generation
    passages: tuple[Passage, ...]
    documents: dict[str, IndexedDocument]
    queries: QueryBuilder
    retriever: HybridRetriever
    finder: CandidateFinder
    composer: ExtractiveComposer
    register: ResponsibilityRegister
    who: WhoAnswerComposer
    terms_of: Callable[[str], frozenset[str]]
    """The lexical terms (stems and compound parts) of a text."""
    checked_suggestions: dict[str, bool] = field(default_factory=dict)
    """Whether each suggestion drafted so far is answered: drafts repeat (they come from the documents'
    headings and register), so each is asked once per index generation."""
    _document_terms: dict[str, frozenset[str]] = field(default_factory=dict)

    def document_terms(self, doc_id: str) -> frozenset[str]:
        """Every term of one document, worked out once per generation."""
        terms = self._document_terms.get(doc_id)
        if terms is None:
            text = "\n".join(p.text for p in self.passages if p.doc_id == doc_id)
            terms = self._document_terms[doc_id] = self.terms_of(text)
        return terms


@dataclass(frozen=True)
class Evidence:
    query: Query
    asked: AskedKinds
    candidates: tuple[Candidate, ...]
    records: tuple[RecordMatch, ...] = ()
    """Responsibility records that answer a who-question, best first."""
    vector: np.ndarray | None = None
    """The question's vector, as retrieval used it."""

    @property
    def register_match(self) -> float:
        return self.records[0].score if self.records else 0.0


WARM_UP_QUESTIONS = ("Vem beslutar om medlemskap i internationella nätverk?", "Who decides on memberships?")
"""One question per language: the lemma dictionaries are loaded per language."""


class Engine:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        glossary: Glossary | None = None,
        chat_model: Any | None = None,
        memory: ConversationStore | None = None,
        remembered_questions: int = REMEMBERED_QUESTIONS,
        quotes: QuoteSelection | None = None,
        models: FittedModels | None = None,
        settle_heap: bool = False,
    ) -> None:
        """``remembered_questions``: how many recent questions' vectors to keep (0: embed every time).
        ``settle_heap``: for a process that serves this engine for its whole life (`strategibot serve`):
        each loaded index is left out of the garbage collector's full collections (see ``_settle_heap``).
        ``quotes``: how many sentences an answer quotes (default: the fitted selection, quote_selection.py).
        ``models``: the ranker, answerability judge and question prior (default: the fitted ones shipped in
        knowledge/answerability/models/; `make fit` passes the models of each fold)."""
        self.settings = settings
        if chat_model is None and settings.answerer == "openai" and settings.openai is not None:
            chat_model = create_chat_model(settings.openai)
        timeout = settings.openai.timeout_seconds if settings.openai is not None else 30.0
        self._generative = GenerativeAnswerer(chat_model, timeout) if chat_model is not None else None
        self._embedder = embedder
        self._query_vectors = QueryVectors(embedder, remembered_questions)
        self._glossary = glossary or Glossary.load()
        self._lemmatizer = Lemmatizer()
        self._quotes = quotes
        self._models: FittedModels | None = models
        self._store = IndexStore(settings)
        self._memory: ConversationStore = memory if memory is not None else ConversationMemory()
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._pointer_mtime: float | None = None
        self._settle_heap = settle_heap

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        memory: ConversationStore | None = None,
        remembered_questions: int = REMEMBERED_QUESTIONS,
        settle_heap: bool = False,
    ) -> Engine:
        """An engine on the current index; raises IndexUnavailable when none has been built yet.
        ``memory`` keeps each conversation's last turn (default: in this process)."""
        engine = cls(
            settings,
            embedder or create_embedder(settings),
            memory=memory,
            remembered_questions=remembered_questions,
            settle_heap=settle_heap,
        )
        engine._current()
        return engine

    @property
    def glossary(self) -> Glossary:
        return self._glossary

    # --- questions -----------------------------------------------------------------------------

    def ask(self, question: str, conversation_id: str | None = None, *, next_questions: bool = False) -> Answer:
        """``next_questions``: also offer questions to ask next after an answer, for a surface that shows
        them (each is checked through the engine, so they cost time; an abstention always offers some)."""
        if self._generative is not None:
            return _final(
                self._generative_events(question, conversation_id, stream=False, next_questions=next_questions)
            )
        return self._ask_extractive(question, conversation_id, next_questions=next_questions)

    def ask_then_offer(
        self, question: str, conversation_id: str | None = None
    ) -> tuple[Answer, Callable[[], tuple[str, ...]]]:
        """The answer at once, and a function that drafts the questions to ask next after it (empty after an
        abstention, which carries its own suggestions): a surface can show the answer while they are
        checked, each through the engine. Together they are what `ask(..., next_questions=True)` gives."""
        if self._generative is not None:
            written = self.ask(question, conversation_id, next_questions=True)
            if written.abstained:
                return written, lambda: ()
            return replace(written, suggestions=()), lambda: written.suggestions
        loaded = self._current()
        evidence = self.evidence(question, conversation_id)
        ranked, judgement = self._decide(loaded, evidence)
        answer = self._extractive_answer(loaded, evidence, ranked, judgement)
        if answer.abstained:
            return answer, lambda: ()
        return answer, lambda: self._with_follow_ups(loaded, evidence, ranked, answer).suggestions

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for: the fitted models, the lemma
        dictionaries (about 0.5 s), the embedding model, and the stored vectors of the sentences and their
        windows. Asks one question outside any conversation and keeps nothing of it."""
        loaded = self._current()
        for question in WARM_UP_QUESTIONS:
            self._decide(loaded, self.evidence(question))

    def ask_stream(
        self, question: str, conversation_id: str | None = None, *, next_questions: bool = False
    ) -> Iterator[AnswerEvent]:
        """The answer's text as the chat model writes it, then the checked answer (`FinalAnswer`); without
        a chat model, only the answer. ``next_questions`` as for `ask`."""
        if self._generative is None:
            yield FinalAnswer(self._ask_extractive(question, conversation_id, next_questions=next_questions))
            return
        yield from self._generative_events(question, conversation_id, stream=True, next_questions=next_questions)

    @property
    def streams_answers(self) -> bool:
        """Whether `ask_stream` yields text before the answer (a chat model writes it)."""
        return self._generative is not None

    def _ask_extractive(
        self,
        question: str,
        conversation_id: str | None = None,
        *,
        suggest: bool = True,
        next_questions: bool = False,
        language: Language | None = None,
    ) -> Answer:
        """``suggest``: offer questions the documents answer after an abstention; ``next_questions``: offer
        questions to ask next after an answer; ``language``: compose in this language rather than the
        question's (getting started asks its steps in Swedish for every asker)."""
        loaded = self._current()
        evidence = self.evidence(question, conversation_id)
        if language is not None and language != evidence.query.language:
            evidence = replace(evidence, query=replace(evidence.query, language=language))
        ranked, judgement = self._decide(loaded, evidence)
        return self._extractive_answer(loaded, evidence, ranked, judgement, suggest, next_questions)

    def _extractive_answer(
        self,
        loaded: _Loaded,
        evidence: Evidence,
        ranked: list[Candidate],
        judgement: Judgement,
        suggest: bool = True,
        next_questions: bool = False,
    ) -> Answer:
        query = evidence.query
        if not judgement.answerable:
            return loaded.composer.abstain(query, self._suggestions(loaded, evidence, ranked) if suggest else ())
        if evidence.records:
            # The register's records state who acts on what: a matched record is an answer given as sure.
            who = loaded.who.compose(query.question, query.language, list(evidence.records))
            return self._with_follow_ups(loaded, evidence, ranked, who) if next_questions else who
        if not judgement.sure:
            closest = loaded.composer.closest(query, ranked)
            return self._with_follow_ups(loaded, evidence, ranked, closest) if next_questions else closest
        quoted = loaded.composer.compose(query, ranked, evidence.asked)
        return self._with_follow_ups(loaded, evidence, ranked, quoted) if next_questions else quoted

    def _generative_events(
        self, question: str, conversation_id: str | None, *, stream: bool, next_questions: bool = False
    ) -> Iterator[AnswerEvent]:
        """The chat model answers from the best passages and decides itself whether they answer; the
        extractive answer (or abstention) stays ready as the fallback. With ``next_questions``, an answer
        (written or the fallback) offers questions to ask next about the passages it does not cite."""
        assert self._generative is not None
        loaded = self._current()
        previous = self._memory.last(conversation_id)
        evidence = self.evidence(question, conversation_id)
        asked = question
        if evidence.query.follow_up and previous is not None:
            asked = self._generative.standalone_question(previous.question, question)
            if asked != question:
                # Retrieval for the question as it stands alone; the conversation already has this turn.
                evidence = self.evidence(asked)
        ranked, judgement = self._decide(loaded, evidence)
        query = evidence.query

        def fallback() -> Answer:
            return self._extractive_answer(loaded, evidence, ranked, judgement)

        def abstain() -> Answer:
            return loaded.composer.abstain(query, self._suggestions(loaded, evidence, ranked))

        def offering_next(answer: Answer) -> Answer:
            if not next_questions or answer.abstained:
                return answer
            return self._with_follow_ups(loaded, evidence, ranked, answer)

        passages = passages_for_model(ranked, loaded.documents)
        if not passages:
            yield FinalAnswer(abstain())
        elif stream:
            for event in self._generative.stream(asked, query.language, passages, fallback, abstain):
                yield FinalAnswer(offering_next(event.answer)) if isinstance(event, FinalAnswer) else event
        else:
            written = self._generative.answer(asked, query.language, passages, fallback, abstain)
            yield FinalAnswer(offering_next(written))

    def _decide(self, loaded: _Loaded, evidence: Evidence) -> tuple[list[Candidate], Judgement]:
        """The ranked candidates, and whether (and how surely) they answer the question: the judge's
        verdict, except that a who-question without a register match is declined when nothing names what
        it asks about."""
        ranked, judgement = self._judged(evidence)
        query = evidence.query
        if judgement.answerable and query.asks_who and not evidence.records and ranked:
            best = ranked[0]
            terms = loaded.document_terms(best.passage.doc_id)
            if not loaded.register.names_subject(query, best.concepts, terms):
                return ranked, Judgement(False, judgement.probability)
        return ranked, judgement

    def _judged(self, evidence: Evidence) -> tuple[list[Candidate], Judgement]:
        models = self._fitted_models()
        ranked = models.ranker.rank(list(evidence.candidates))
        prior = self._prior_of(evidence)
        return ranked, models.judge.judge(evidence.query, evidence.asked, ranked, evidence.register_match, prior)

    def _with_follow_ups(self, loaded: _Loaded, evidence: Evidence, ranked: list[Candidate], answer: Answer) -> Answer:
        """The answer with questions to ask next: about the nearby sentences that it does not quote."""
        quoted = " ".join(" ".join(c.quote.split()) for c in answer.citations)
        rest = [c for c in ranked if " ".join(c.text.split()) not in quoted]
        return replace(answer, suggestions=self._suggestions(loaded, evidence, rest))

    def _suggestions(self, loaded: _Loaded, evidence: Evidence, ranked: list[Candidate]) -> tuple[str, ...]:
        """Questions close to the one asked that the documents do answer: each drafted one is asked, on its
        own and outside the conversation, and kept only if it is answered."""
        language = evidence.query.language
        kept: list[str] = []
        asked = " ".join(evidence.query.question.lower().split())
        for draft in draft_suggestions(ranked, loaded.register.records, loaded.documents, language):
            if draft.lower() == asked:
                continue
            if len(kept) >= MAX_SUGGESTIONS:
                break
            answered = loaded.checked_suggestions.get(draft)
            if answered is None:
                answered = loaded.checked_suggestions[draft] = self._decide(loaded, self.evidence(draft))[1].answerable
            if answered:
                kept.append(draft)
        return tuple(kept)

    def evidence(self, question: str, conversation_id: str | None = None) -> Evidence:
        """The question as a query, what kind of answer it asks for, and the candidate sentences with their
        features, before any fitted model has looked at them. Remembers the turn for a follow-up."""
        loaded = self._current()
        previous = self._memory.last(conversation_id)
        query = loaded.queries.build(question.strip(), previous)
        asked = asked_kinds(query.question)
        vector = loaded.retriever.query_vector(query)
        candidates = loaded.finder.find(query, vector, asked)
        # A person's name is not in the register, which records bodies and roles.
        records = loaded.register.matching(query) if query.asks_who and not asked.wants("person") else []
        self._memory.remember(conversation_id, self._turn(query, previous))
        return Evidence(query, asked, tuple(candidates), tuple(records), vector)

    def judge(self, question: str, conversation_id: str | None = None) -> tuple[list[Candidate], Judgement]:
        """The ranked candidates and the answerability judgement for a question (for inspection and tests)."""
        return self._judged(self.evidence(question, conversation_id))

    def search(self, text: str, limit: int = 5) -> list[SearchHit]:
        """Passages for a quick lookup, best sentence of each as the snippet; empty when nothing matches."""
        loaded = self._current()
        query = loaded.queries.build(text.strip())
        if not query.focus or query.coverage == 0:
            return []
        ranker = self._fitted_models().ranker
        vector = loaded.retriever.query_vector(query)
        best_per_passage: dict[str, Candidate] = {}
        for sentence in ranker.rank(loaded.finder.find(query, vector, asked_kinds(query.question))):
            best_per_passage.setdefault(sentence.passage.passage_id, sentence)
        hits = []
        for sentence in list(best_per_passage.values())[:limit]:
            document = loaded.documents[sentence.passage.doc_id]
            hits.append(
                SearchHit(
                    passage_id=sentence.passage.passage_id,
                    document=document.meta.title,
                    section=sentence.passage.section_label,
                    date=document.meta.date,
                    snippet=_snippet(sentence.text),
                    source=source_label(document),
                    score=round(sentence.score, 4),
                )
            )
        return hits

    @property
    def embedder(self) -> Embedder:
        """The embedder the index was built with: an ingest in this process uses the same loaded model."""
        return self._embedder

    def documents(self) -> list[IndexedDocument]:
        return list(self._current().generation.documents)

    def get_started(self, language: Language = "sv") -> Answer:
        """The walk-through for new international contact persons, every step cited."""
        # Each step is its own answer; questions to ask next belong after the walk-through, not in it.
        return get_started(
            lambda question, wanted: self._ask_extractive(question, None, suggest=False, language=wanted), language
        )

    def responsibilities(self) -> list[Responsibility]:
        """The responsibility register of the current index."""
        return list(self._current().register.records)

    def forget(self, conversation_id: str) -> None:
        self._memory.forget(conversation_id)

    def close(self) -> None:
        self._loaded = None

    # --- internals -----------------------------------------------------------------------------

    def _quote_selection(self) -> QuoteSelection:
        if self._quotes is None:
            self._quotes = QuoteSelection.load()
        return self._quotes

    def _prior_of(self, evidence: Evidence) -> float:
        prior = self._fitted_models().prior
        return prior.log_odds(evidence.vector) if prior is not None and evidence.vector is not None else 0.0

    def _fitted_models(self) -> FittedModels:
        if self._models is None:
            prior = QuestionPrior.shipped(self._embedder.name)
            self._models = FittedModels(Ranker.load(), AnswerabilityJudge.load(), prior)
        return self._models

    @staticmethod
    def _turn(query: Query, previous: PreviousTurn | None) -> PreviousTurn:
        if query.follow_up and previous is not None:
            # A follow-up's subject is still the earlier question's: carry both into the next turn.
            return PreviousTurn(f"{previous.question} {query.question}", query.asks_who)
        return PreviousTurn(query.question, query.asks_who)

    def _current(self) -> _Loaded:
        pointer = self._store.root / "CURRENT"
        try:
            mtime = pointer.stat().st_mtime
        except FileNotFoundError:
            raise IndexUnavailable(f"No index in {self._store.root}; run `strategibot ingest` to build it.") from None
        with self._lock:
            if self._loaded is None or mtime != self._pointer_mtime:
                self._loaded = self._load()
                self._pointer_mtime = mtime
                if self._settle_heap:
                    _settle_heap()
            return self._loaded

    def _load(self) -> _Loaded:
        generation = self._store.current()
        if generation is None:
            raise IndexUnavailable(f"No index in {self._store.root}; run `strategibot ingest` to build it.")
        if generation.embedder != self._embedder.name:
            raise IndexUnavailable(
                f"The index was built with {generation.embedder}, but STRATEGIBOT_EMBEDDER selects "
                f"{self._embedder.name}; run `strategibot ingest` to rebuild it."
            )
        passages = generation.load_passages()
        lexical = LexicalIndex.load(generation.lexical_folder)
        function = ChromaEmbedding(self._embedder)
        passage_collection = self._store.collection(generation.passages_collection, function)
        sentence_collection = self._store.collection(generation.sentences_collection, function)
        window_collection = self._store.collection(generation.windows_collection, function)
        documents = {d.doc_id: d for d in generation.documents}
        retriever = HybridRetriever(passages, lexical, passage_collection, self._query_vectors)
        return _Loaded(
            generation=generation,
            passages=tuple(passages),
            documents=documents,
            queries=QueryBuilder(lexical, self._glossary),
            retriever=retriever,
            finder=CandidateFinder(
                passages,
                documents,
                lexical,
                retriever,
                sentence_collection,
                window_collection,
                self._lemmatizer,
                self._glossary.body_names(),
            ),
            composer=ExtractiveComposer(
                documents, _topics(passages), lexical.analyzer.term_set, self._quote_selection(), _subsections(passages)
            ),
            register=ResponsibilityRegister(generation.load_responsibilities(), lexical),
            who=WhoAnswerComposer(documents, self._glossary),
            terms_of=lexical.analyzer.term_set,
        )


def _settle_heap() -> None:
    """Leave what the process holds now, the loaded index above all, out of future full collections.

    At 100,000 passages the index is hundreds of thousands of objects that live until the next index is
    loaded, and every full collection walked them all: 200–300 ms with every question waiting, a few
    times in every few hundred questions (`make bench SCALE=100000`). Frozen, they are skipped. The
    previous index, unreachable now, is unfrozen and collected first; freezing is process-wide, which is
    why only a serving process asks for it."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _final(events: Iterator[AnswerEvent]) -> Answer:
    for event in events:
        if isinstance(event, FinalAnswer):
            return event.answer
    raise RuntimeError("the answer's events ended without an answer")


def _topics(passages: list[Passage]) -> list[str]:
    """Top-level headings with the most text: what the documents are mostly about."""
    size: dict[str, int] = {}
    for passage in passages:
        if passage.section:
            size[passage.section[0]] = size.get(passage.section[0], 0) + len(passage.text)
    return sorted(size, key=lambda heading: -size[heading])


def _subsections(passages: list[Passage]) -> dict[tuple[str, tuple[str, ...]], list[str]]:
    """For each (document, section), the headings of the sections directly beneath it, in order."""
    children: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for passage in passages:
        if passage.section:
            siblings = children.setdefault((passage.doc_id, passage.section[:-1]), [])
            if passage.section[-1] not in siblings:
                siblings.append(passage.section[-1])
    return children


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"


def index_exists(settings: Settings) -> bool:
    return (Path(settings.index_dir) / "CURRENT").exists()
