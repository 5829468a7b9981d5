"""What a question asks about, as concepts: each is covered by any one of its Swedish forms.

"Who decides on twin-city agreements?" has two concepts: deciding (beslutar | beslut | besluta | beslutas)
and twin-city agreements (vänortsavtal). A sentence covering one form of a concept covers the concept;
listing synonyms must not make a concept weigh more than a plain word. A compound's parts give partial
credit ("stadsövergripande" is half covered by a sentence about "staden").
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.index.lexical_index import LexicalIndex
from knowledge.retrieval.glossary import Glossary
from knowledge.text.text_analysis import COMPOUND_PART_WEIGHT, STOPWORDS, words


@dataclass(frozen=True)
class Concept:
    forms: tuple[str, ...]
    """Stems that each cover the concept fully."""
    parts: tuple[str, ...] = ()
    """Stems of compound parts that cover it in part."""
    label: str = ""

    def credit(self, terms: frozenset[str]) -> float:
        if any(form in terms for form in self.forms):
            return 1.0
        if any(part in terms for part in self.parts):
            return COMPOUND_PART_WEIGHT
        return 0.0

    def matched(self, terms: frozenset[str]) -> frozenset[str]:
        return frozenset(t for t in (*self.forms, *self.parts) if t in terms)


def concepts_of(text: str, lexical: LexicalIndex, glossary: Glossary, english: bool) -> list[Concept]:
    """The concepts of ``text``: one per glossary phrase it uses, one per other content word.

    In an English question, words outside the glossary are kept only where the corpus has them (names
    such as "Eurocities"); other English words say nothing about Swedish text.
    """
    analyzer = lexical.analyzer
    tokens = words(text)
    concepts: list[Concept] = []
    covered: set[int] = set()
    for term, start, end in glossary.match_spans(text):
        forms: list[str] = []
        parts: list[str] = []
        for swedish in term.swedish:
            stems = [stem for stem in analyzer.terms(swedish) if lexical.knows(stem)] or analyzer.terms(swedish)
            if not stems:
                continue
            # A name of several words is found by its rarest word: "internationella beredningen" by
            # "beredning", not by "internationell", which every passage has.
            forms.append(max(stems, key=lexical.idf))
            parts.extend(p for _, p in _parts(analyzer, swedish))
        # The asker's own word counts too, where the documents use it ("delegation").
        for k in range(start, end):
            own = analyzer.stem(tokens[k])
            if tokens[k] not in STOPWORDS and lexical.knows(own):
                forms.append(own)
        covered.update(range(start, end))
        if forms:
            concepts.append(Concept(tuple(dict.fromkeys(forms)), tuple(dict.fromkeys(parts)), term.name))
    for k, token in enumerate(tokens):
        if k in covered or token in STOPWORDS or (len(token) < 2 and not token.isdigit()):
            continue
        stem = analyzer.stem(token)
        parts = tuple(p for _, p in _parts(analyzer, token))
        if english and not lexical.knows(stem):
            continue
        concepts.append(Concept((stem,), parts, token))
    return _unique(concepts)


def _parts(analyzer, word: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    weighted = analyzer.weighted_terms(word)
    return [(word, term) for term, weight in weighted if weight < 1.0]


def _unique(concepts: list[Concept]) -> list[Concept]:
    seen: set[tuple[str, ...]] = set()
    out: list[Concept] = []
    for concept in concepts:
        if concept.forms not in seen:
            seen.add(concept.forms)
            out.append(concept)
    return out
