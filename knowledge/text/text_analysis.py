"""Swedish lexical analysis: tokens, stop words, Snowball stems and compound parts.

The lexical index and the answer composer must see text the same way, so both go through
``SwedishAnalyzer``. Swedish writes compounds as one word ("vänortsavtal", "stadsövergripande"), which a
plain stemmer cannot match with their parts ("vänort", "avtal"); the analyzer splits a long word into two
words that the corpus itself uses, so the vocabulary of the documents decides what a compound is made of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_SWEDISH

_WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+(?:-[0-9A-Za-zÀ-ÖØ-öø-ÿ]+)*")

# Question words and verbs of asking carry no topic: "vem beslutar om X" is about X and deciding, and
# "vad", "hur", "vilka" match every sentence that happens to contain them.
_EXTRA_STOPWORDS = frozenset(
    [
        "vad",
        "vem",
        "vilka",
        "vilken",
        "vilket",
        "hur",
        "varför",
        "när",
        "var",
        "finns",
        "gäller",
        "kan",
        "får",
        "ska",
        "skall",
        "måste",
        "bör",
        "också",
        "även",
        "enligt",
        "samt",
        "dock",
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "by",
        "with",
        "what",
        "who",
        "whom",
        "which",
        "how",
        "does",
        "do",
        "did",
        "can",
        "may",
        "must",
        "should",
        "would",
        "will",
        "our",
        "we",
        "you",
        "your",
        "i",
        "it",
        "its",
        "this",
        "that",
        "there",
        "their",
        "som",
        "sig",
        "sin",
        "sitt",
        "sina",
        "man",
        "får",
    ]
)

# Words that frame a question or qualify anything, so they say nothing about its topic: "vad tycker X om",
# "which ... does the strategy want", "nya medlemskap". Without them, a question's weight sits on its nouns.
_FRAME_WORDS = frozenset(
    [
        "tycker",
        "gör",
        "göra",
        "gjort",
        "tycka",
        "tänker",
        "säger",
        "säga",
        "står",
        "betyder",
        "innebär",
        "menas",
        "egentligen",
        "gärna",
        "särskilt",
        "speciellt",
        "ny",
        "nya",
        "nytt",
        "stor",
        "stora",
        "olika",
        "viss",
        "vissa",
        "egen",
        "egna",
        "eget",
        "bara",
        "mycket",
        "många",
        "flera",
        "annan",
        "andra",
        "hela",
        "bra",
        "want",
        "wants",
        "need",
        "needs",
        "say",
        "says",
        "tell",
        "know",
        "mean",
        "means",
        "please",
        "about",
        "like",
        "especially",
        "specially",
        "particular",
        "particularly",
        "new",
        "own",
        "only",
        "many",
        "several",
        "other",
        "whole",
        "good",
        "really",
        "actually",
        "exactly",
    ]
)

STOPWORDS: frozenset[str] = frozenset(STOPWORDS_SWEDISH) | frozenset(STOPWORDS_EN) | _EXTRA_STOPWORDS | _FRAME_WORDS

# Swedish links compound parts with -s- or nothing ("vänort|s|avtal", "stad|s|övergripande").
_LINKING = ("s", "")
_MIN_PART = 4
_MIN_COMPOUND = 8
COMPOUND_PART_WEIGHT = 0.5
_INFLECTIONS = ("et", "en", "er", "ar", "na")
_MAX_ENDING = 3


def words(text: str) -> list[str]:
    """Lower-cased word tokens; hyphenated words are split into their parts ("EU-projekt")."""
    out: list[str] = []
    for match in _WORD.finditer(text):
        out.extend(part for part in match.group(0).lower().split("-") if part)
    return out


# English words that carry no topic but that the short English stopword list above leaves in: prepositions,
# particles, auxiliaries, pronouns and quantifiers. An English question's words the corpus lacks count as
# uncovered in the responsibility register; these never should ("who signs OFF", "visits FROM abroad").
ENGLISH_FUNCTION_WORDS: frozenset[str] = frozenset(
    words(
        """
    about above across after again against all along also although am among any anyone anything around away
    back because been before behind being below beside besides between beyond both can cannot could did do does
    doing done down during each either else enough even ever every few from further get gets getting got had
    has have having he her here hers him his how however i its itself just least less let like many may me
    might mine more most much must my myself near need needs neither never nor now off often once only onto
    other others our ours out over own per perhaps please quite rather same she should since so some somebody
    someone something still than thanks them themselves those though through thus till too toward towards under
    unless until up upon us usually very via want wants we were what whatever when where whether which while
    who whom whose why within without would yet you your yours
        """
    )
)


class SwedishAnalyzer:
    """Turns text into index terms: stems of non-stop words, plus the stems of compound parts."""

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self._stemmer = Stemmer.Stemmer("swedish")
        self._vocabulary = frozenset(vocabulary)
        self._stem = lru_cache(maxsize=65536)(self._stem_word)
        self._parts = lru_cache(maxsize=65536)(self._compound_parts)

    @property
    def vocabulary(self) -> frozenset[str]:
        return self._vocabulary

    def _stem_word(self, word: str) -> str:
        stem = self._stemmer.stemWord(word)
        if not self._vocabulary:
            return stem
        if stem not in self._vocabulary:
            # A form the corpus lacks may meet one it has through an inflected form ("mandat" + "et").
            for ending in _INFLECTIONS:
                other = self._stemmer.stemWord(word + ending)
                if other in self._vocabulary:
                    stem = other
                    break
        return self._fold(stem)

    def _fold(self, stem: str) -> str:
        # Snowball stems some forms of one word apart ("mandat" → "mand" but "mandatet" → "mandat"; the
        # neuter -t of "internationellt" stays). A stem is folded into the shortest stem of the corpus that
        # it extends by at most a short ending, so all forms of a word meet.
        for cut in range(max(_MIN_PART, len(stem) - _MAX_ENDING), len(stem)):
            if stem[:cut] in self._vocabulary:
                return stem[:cut]
        return stem

    def stem(self, word: str) -> str:
        return self._stem(word)

    def content_words(self, text: str) -> list[str]:
        return [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]

    def terms(self, text: str) -> list[str]:
        """Stems of the content words, each followed by the stems of its compound parts."""
        return [term for term, _ in self.weighted_terms(text)]

    def weighted_terms(self, text: str) -> list[tuple[str, float]]:
        """Like ``terms``, with a weight: 1 for a word's stem, less for its compound parts, so that
        "stadsövergripande" does not count three times in a question."""
        out: list[tuple[str, float]] = []
        for word in self.content_words(text):
            out.append((self._stem(word), 1.0))
            out.extend((part, COMPOUND_PART_WEIGHT) for part in self._parts(word))
        return out

    def term_set(self, text: str) -> frozenset[str]:
        return frozenset(self.terms(text))

    def _compound_parts(self, word: str) -> tuple[str, ...]:
        if len(word) < _MIN_COMPOUND or not self._vocabulary:
            return ()
        # The longest head that is a known word wins: "stadsövergripande" → "stad" + "övergripande".
        for cut in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
            head, rest = word[:cut], word[cut:]
            for link in _LINKING:
                if link and not rest.startswith(link):
                    continue
                tail = rest[len(link) :]
                if len(tail) < _MIN_PART:
                    continue
                head_stem, tail_stem = self._head_stem(head), self._stem(tail)
                if head_stem in self._vocabulary and tail_stem in self._vocabulary:
                    return (head_stem, tail_stem)
        return ()

    def _head_stem(self, head: str) -> str:
        # "verksamhets|specifika": the head may carry the linking -s itself; its bare form is the word.
        if head.endswith("s") and len(head) > _MIN_PART + 1:
            bare = self._stem(head[:-1])
            if bare in self._vocabulary:
                return bare
        return self._stem(head)


def vocabulary_of(texts: Iterable[str]) -> frozenset[str]:
    """Stems of the content words in ``texts``: what compound parts may be made of."""
    bare = SwedishAnalyzer()
    vocabulary: set[str] = set()
    for text in texts:
        vocabulary.update(bare.stem(w) for w in bare.content_words(text) if len(w) >= _MIN_PART)
    return frozenset(vocabulary)


# Counts written out, as documents announce parts ("följande fyra inriktningar", "three areas").
NUMBER_WORDS = {
    "två": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "åtta": 8,
    "nio": 9,
    "tio": 10,
    "elva": 11,
    "tolv": 12,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
