"""Swedish (and English) lemmas beside the Snowball stems: "bestämmer" → bestämma, "nämndernas" → nämnd.

Stems cut words to a common prefix and miss irregular forms; lemmas name the dictionary word. simplemma
carries its dictionaries inside the wheel, so this works offline. Lemmas are cached per word.
"""

from __future__ import annotations

from functools import lru_cache

import simplemma

from knowledge.text.text_analysis import STOPWORDS, words
from knowledge.types import Language


class Lemmatizer:
    def __init__(self) -> None:
        self._lemma = lru_cache(maxsize=200_000)(self._lookup)
        self._sets = lru_cache(maxsize=100_000)(self._set_of)

    @staticmethod
    def _lookup(word: str, language: Language) -> str:
        return simplemma.lemmatize(word, lang=language).lower()

    def lemmas_of(self, word: str) -> set[str]:
        """A question's word may be Swedish or English: both readings, and the word itself."""
        return {word, self._lemma(word, "sv"), self._lemma(word, "en")}

    def lemma_set(self, text: str, language: Language) -> frozenset[str]:
        return self._sets(text, language)

    def _set_of(self, text: str, language: Language) -> frozenset[str]:
        out: set[str] = set()
        for word in words(text):
            if word in STOPWORDS or len(word) < 2:
                continue
            out.add(word)
            out.add(self._lemma(word, language))
        return frozenset(out)
