"""From a question (and the conversation so far) to what retrieval and the composer need.

A query has weighted lexical terms (the question's own, the Swedish words for what it names in English,
and, for a follow-up, the previous question's at a lower weight), a text to embed, and the question's
content words, each marked known or unknown to the corpus: the base of the decision to abstain.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.index.lexical_index import LexicalIndex
from knowledge.retrieval.concepts import Concept, concepts_of
from knowledge.retrieval.glossary import Glossary
from knowledge.text.language import detect_language
from knowledge.text.text_analysis import COMPOUND_PART_WEIGHT, STOPWORDS, words
from knowledge.types import Language

# Follow-ups lean on the previous question: "Och om ...?", "And what about ...?".
_FOLLOW_UP_OPENERS = frozenset(
    ["och", "men", "samt", "även", "också", "and", "but", "also", "so", "then", "what", "how"]
)
_FOLLOW_UP_PHRASES = ("what about", "how about", "and if", "och om", "men om", "om det", "if it", "and for")
_WHO_WORDS = frozenset(["vem", "vilka", "vilken", "who", "whom"])
PREVIOUS_TURN_WEIGHT = 0.35


@dataclass(frozen=True)
class FocusWord:
    word: str
    weight: float
    known: bool


@dataclass(frozen=True)
class Query:
    question: str
    language: Language
    dense_text: str
    concepts: tuple[Concept, ...]
    """What the question itself asks about."""
    context: tuple[Concept, ...]
    """What the earlier turn that a follow-up leans on asked about; it counts PREVIOUS_TURN_WEIGHT."""
    focus: tuple[FocusWord, ...]
    asks_who: bool
    follow_up: bool

    @property
    def coverage(self) -> float:
        """Share of the question's content (weighted by rarity) that the corpus has words for."""
        total = sum(f.weight for f in self.focus)
        return sum(f.weight for f in self.focus if f.known) / total if total else 0.0

    @property
    def terms(self) -> tuple[tuple[str, float], ...]:
        """(lexical term, weight) for BM25: every form of a concept at 1, compound parts less."""
        return _weighted(self.concepts)

    @property
    def context_terms(self) -> tuple[tuple[str, float], ...]:
        return _weighted(self.context)


def _weighted(concepts: tuple[Concept, ...]) -> tuple[tuple[str, float], ...]:
    weights: dict[str, float] = {}
    for concept in concepts:
        for part in concept.parts:
            weights[part] = max(weights.get(part, 0.0), COMPOUND_PART_WEIGHT)
        for form in concept.forms:
            weights[form] = 1.0
    return tuple(weights.items())


@dataclass(frozen=True)
class PreviousTurn:
    question: str
    asks_who: bool


class QueryBuilder:
    def __init__(self, lexical: LexicalIndex, glossary: Glossary) -> None:
        self._lexical = lexical
        self._glossary = glossary

    def build(self, question: str, previous: PreviousTurn | None = None) -> Query:
        language = detect_language(question)
        concepts = concepts_of(question, self._lexical, self._glossary, english=language == "en")
        focus = self._focus(question)
        follow_up = previous is not None and self._is_follow_up(question, focus)
        context: list[Concept] = []
        if follow_up and previous is not None:
            own_forms = {form for concept in concepts for form in concept.forms}
            earlier_english = detect_language(previous.question) == "en"
            earlier = concepts_of(previous.question, self._lexical, self._glossary, english=earlier_english)
            context = [c for c in earlier if not own_forms & set(c.forms)]
        asks_who = bool(_WHO_WORDS & set(words(question))) or (follow_up and previous is not None and previous.asks_who)
        dense_text = f"{previous.question} {question}" if follow_up and previous is not None else question
        return Query(
            question=question,
            language=language,
            dense_text=dense_text,
            concepts=tuple(concepts),
            context=tuple(context),
            focus=tuple(focus),
            asks_who=asks_who,
            follow_up=follow_up,
        )

    def _is_follow_up(self, question: str, focus: list[FocusWord]) -> bool:
        tokens = words(question)
        if not tokens:
            return False
        lowered = " ".join(tokens)
        if tokens[0] in _FOLLOW_UP_OPENERS or lowered.startswith(_FOLLOW_UP_PHRASES):
            return True
        return len([f for f in focus if f.known]) < 2

    def _focus(self, question: str) -> list[FocusWord]:
        """Content words of the question, weighted by rarity, each known to the corpus or not."""
        analyzer = self._lexical.analyzer
        lexical = self._lexical
        unknown_weight = lexical.idf_ceiling()
        english_covered = self._glossary.english_words_covered(question)
        focus: list[FocusWord] = []
        for word in dict.fromkeys(words(question)):
            if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
                continue
            idfs = [lexical.idf(t) for t in analyzer.terms(word) if lexical.knows(t)]
            if idfs:
                # The stem decides the weight; compound parts alone only say the corpus knows the idea.
                focus.append(FocusWord(word, max(idfs), True))
            elif word in english_covered:
                focus.append(FocusWord(word, lexical.idf_median(), True))
            else:
                focus.append(FocusWord(word, unknown_weight, False))
        return focus
