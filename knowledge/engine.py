"""The answering engine: one object that the CLI and the Teams bot share.

It reads the current index generation (Chroma collections, BM25, the passage table), turns a question into
a query, retrieves passages, scores their sentences, decides whether the documents answer at all, and
composes a cited answer. When an ingest switches the index to a new generation, the next question sees it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.chroma_embedding import ChromaEmbedding
from knowledge.conversations import ConversationMemory
from knowledge.embedders import Embedder, create_embedder
from knowledge.evidence import MIN_COVERAGE, is_answerable, names_what_is_asked_about
from knowledge.extractive import ExtractiveComposer, source_label
from knowledge.generative import GenerativeComposer, create_chat_model
from knowledge.glossary import Glossary
from knowledge.index_store import Generation, IndexStore, IndexUnavailable
from knowledge.lexical_index import LexicalIndex
from knowledge.onboarding import get_started
from knowledge.query import PreviousTurn, Query, QueryBuilder
from knowledge.register import ResponsibilityRegister, subject_positions
from knowledge.retriever import HybridRetriever
from knowledge.sentence_scoring import ScoredSentence, SentenceScorer
from knowledge.settings import Settings
from knowledge.types import Answer, IndexedDocument, Language, Passage, Responsibility, SearchHit
from knowledge.who_answer import WhoAnswerComposer

SNIPPET_CHARS = 220


@dataclass(frozen=True)
class _Loaded:
    """Everything read from one index generation; replaced whole when the generation changes."""

    generation: Generation
    passages: tuple[Passage, ...]
    documents: dict[str, IndexedDocument]
    queries: QueryBuilder
    retriever: HybridRetriever
    scorer: SentenceScorer
    composer: ExtractiveComposer
    register: ResponsibilityRegister
    who: WhoAnswerComposer


class Engine:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        glossary: Glossary | None = None,
        chat_model: Any | None = None,
    ) -> None:
        self.settings = settings
        if chat_model is None and settings.answerer == "openai" and settings.openai is not None:
            chat_model = create_chat_model(settings.openai)
        self._generative = GenerativeComposer(chat_model) if chat_model is not None else None
        self._embedder = embedder
        self._glossary = glossary or Glossary.load()
        self._store = IndexStore(settings)
        self._memory = ConversationMemory()
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._pointer_mtime: float | None = None

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> Engine:
        """An engine on the current index; raises IndexUnavailable when none has been built yet."""
        engine = cls(settings, embedder or create_embedder(settings))
        engine._current()
        return engine

    @property
    def glossary(self) -> Glossary:
        return self._glossary

    # --- questions -----------------------------------------------------------------------------

    def ask(self, question: str, conversation_id: str | None = None) -> Answer:
        loaded = self._current()
        previous = self._memory.last(conversation_id)
        query = loaded.queries.build(question.strip(), previous)
        matches = loaded.register.matching(query) if query.asks_who and query.coverage >= MIN_COVERAGE else []
        ranked = [] if matches else self._rank(loaded, query)
        best = ranked[0] if ranked else None
        if matches:
            answer = loaded.who.compose(query.question, query.language, matches)
        elif not is_answerable(query, best) or (
            query.asks_who and not names_what_is_asked_about(best, subject_positions(query))
        ):
            answer = loaded.composer.abstain(query)
        elif self._generative is not None:
            # The quoted answer is the fallback and carries the citations the model words its answer from.
            quoted = loaded.composer.compose(query, ranked)
            answer = self._generative.compose(
                query.question,
                query.language,
                quoted.citations,
                fallback=quoted,
                abstain=loaded.composer.abstain(query),
            )
        else:
            answer = loaded.composer.compose(query, ranked)
        self._memory.remember(conversation_id, self._turn(query, previous))
        return answer

    def search(self, text: str, limit: int = 5) -> list[SearchHit]:
        """Passages for a quick lookup, best sentence of each as the snippet; empty when nothing matches."""
        loaded = self._current()
        query = loaded.queries.build(text.strip())
        if not query.focus or query.coverage == 0:
            return []
        best_per_passage: dict[str, ScoredSentence] = {}
        for sentence in self._rank(loaded, query, passages=limit * 2):
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

    def documents(self) -> list[IndexedDocument]:
        return list(self._current().generation.documents)

    def get_started(self, language: Language = "sv") -> Answer:
        """The walk-through for new international contact persons, every step cited."""
        return get_started(self.ask, language)

    def responsibilities(self) -> list[Responsibility]:
        """The responsibility register of the current index."""
        return list(self._current().register.records)

    def forget(self, conversation_id: str) -> None:
        self._memory.forget(conversation_id)

    def close(self) -> None:
        self._loaded = None

    # --- internals -----------------------------------------------------------------------------

    def _rank(self, loaded: _Loaded, query: Query, passages: int = 6) -> list[ScoredSentence]:
        vector = loaded.retriever.query_vector(query)
        retrieved = loaded.retriever.retrieve(query, vector, limit=passages)
        return loaded.scorer.score(query, vector, retrieved)

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
        documents = {d.doc_id: d for d in generation.documents}
        return _Loaded(
            generation=generation,
            passages=tuple(passages),
            documents=documents,
            queries=QueryBuilder(lexical, self._glossary),
            retriever=HybridRetriever(passages, lexical, passage_collection, self._embedder),
            scorer=SentenceScorer(lexical, sentence_collection),
            composer=ExtractiveComposer(
                documents, _topics(passages), lexical.analyzer.term_set, _subsections(passages)
            ),
            register=ResponsibilityRegister(generation.load_responsibilities(), lexical),
            who=WhoAnswerComposer(documents, self._glossary),
        )


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
        if len(passage.section) >= 2:
            siblings = children.setdefault((passage.doc_id, passage.section[:-1]), [])
            if passage.section[-1] not in siblings:
                siblings.append(passage.section[-1])
    return children


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"


def index_exists(settings: Settings) -> bool:
    return (Path(settings.index_dir) / "CURRENT").exists()
