"""From a question (and the conversation so far) to what retrieval and the composer need.

A query has weighted lexical terms (the question's own, the Swedish words for what it names in English,
and, for a follow-up, the previous question's at a lower weight), a text to embed, and the question's
content words, each marked known or unknown to the corpus: the base of the decision to abstain.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.glossary import Glossary
from knowledge.language import detect_language
from knowledge.lexical_index import LexicalIndex
from knowledge.text_analysis import STOPWORDS, words
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
    terms: tuple[tuple[str, float], ...]
    """(lexical term, weight) of the question itself: stems 1.0, compound parts less."""
    context_terms: tuple[tuple[str, float], ...]
    """(lexical term, weight) of the earlier turn a follow-up leans on; they count PREVIOUS_TURN_WEIGHT."""
    focus: tuple[FocusWord, ...]
    asks_who: bool
    follow_up: bool

    @property
    def coverage(self) -> float:
        """Share of the question's content (weighted by rarity) that the corpus has words for."""
        total = sum(f.weight for f in self.focus)
        return sum(f.weight for f in self.focus if f.known) / total if total else 0.0

    @property
    def own_terms(self) -> frozenset[str]:
        return frozenset(term for term, _ in self.terms)


@dataclass(frozen=True)
class PreviousTurn:
    question: str
    asks_who: bool


class QueryBuilder:
    def __init__(self, lexical: LexicalIndex, glossary: Glossary) -> None:
        self._lexical = lexical
        self._glossary = glossary

    def build(self, question: str, previous: PreviousTurn | None = None) -> Query:
        analyzer = self._lexical.analyzer
        language = detect_language(question)
        expansion = self._glossary.swedish_expansion(question)
        question_terms = analyzer.weighted_terms(question)
        if language == "en":
            # An English word says nothing to BM25 over Swedish text (and "city" would match an English
            # phrase quoted in it); its Swedish expansion does. Names the glossary lacks stay ("Eurocities").
            covered = self._glossary.english_words_covered(question)
            kept = " ".join(w for w in words(question) if w not in covered)
            question_terms = [(t, w) for t, w in analyzer.weighted_terms(kept) if self._lexical.knows(t)]
        own: dict[str, float] = {}
        for term, weight in [*question_terms, *analyzer.weighted_terms(expansion)]:
            own[term] = max(own.get(term, 0.0), weight)
        follow_up = previous is not None and self._is_follow_up(question)
        context: dict[str, float] = {}
        if follow_up and previous is not None:
            earlier = previous.question + " " + self._glossary.swedish_expansion(previous.question)
            for term, weight in analyzer.weighted_terms(earlier):
                if term not in own:
                    context[term] = max(context.get(term, 0.0), weight)
        asks_who = bool(_WHO_WORDS & set(words(question))) or (follow_up and previous is not None and previous.asks_who)
        dense_text = f"{previous.question} {question}" if follow_up and previous is not None else question
        return Query(
            question=question,
            language=language,
            dense_text=dense_text,
            terms=tuple(own.items()),
            context_terms=tuple(context.items()),
            focus=tuple(self._focus(question)),
            asks_who=asks_who,
            follow_up=follow_up,
        )

    def _is_follow_up(self, question: str) -> bool:
        tokens = words(question)
        if not tokens:
            return False
        lowered = " ".join(tokens)
        if tokens[0] in _FOLLOW_UP_OPENERS or lowered.startswith(_FOLLOW_UP_PHRASES):
            return True
        return len([f for f in self._focus(question) if f.known]) < 2

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
