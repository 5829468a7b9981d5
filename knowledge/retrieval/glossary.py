"""Swedish ↔ English names of bodies, roles and terms, from ``data/glossary.tsv``.

The documents are Swedish and staff ask in English as often as in Swedish, with English names for Swedish
bodies. The glossary (a) adds the Swedish words to an English question before retrieval and (b) names
bodies in English answers as "Kommunstyrelsen (City Executive Board)".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from knowledge.text.text_analysis import words

GLOSSARY_FILE = Path(__file__).parents[1] / "data" / "glossary.tsv"
_MAX_PHRASE = 5


@dataclass(frozen=True)
class Term:
    swedish: tuple[str, ...]
    english: tuple[str, ...]
    kind: str

    @property
    def name(self) -> str:
        return self.swedish[0]

    @property
    def english_name(self) -> str:
        return self.english[0]


class Glossary:
    def __init__(self, terms: list[Term]) -> None:
        self.terms = tuple(terms)
        self._by_english: dict[tuple[str, ...], list[Term]] = {}
        for term in terms:
            for phrase in term.english:
                self._by_english.setdefault(tuple(words(phrase)), []).append(term)
        self._by_swedish = {form.lower(): term for term in terms for form in term.swedish}

    @classmethod
    def load(cls, path: Path = GLOSSARY_FILE) -> Glossary:
        with path.open(encoding="utf-8") as handle:
            rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
            terms = [
                Term(
                    swedish=tuple(s.strip() for s in row["swedish"].split("|") if s.strip()),
                    english=tuple(e.strip() for e in row["english"].split("|") if e.strip()),
                    kind=row["kind"].strip(),
                )
                for row in rows
            ]
        return cls(terms)

    def match_spans(self, text: str) -> list[tuple[Term, int, int]]:
        """(term, first word, end word) for each glossary phrase in ``text``: longest phrases first, each
        word used once. Word positions are those of ``words(text)``."""
        tokens = words(text)
        found: list[tuple[Term, int, int]] = []
        i = 0
        while i < len(tokens):
            for size in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
                phrase = tuple(tokens[i : i + size])
                terms = self._by_english.get(phrase)
                if terms is None and size == 1 and len(phrase[0]) > 3:
                    # A plural the list does not spell out: "agreements" for "agreement".
                    terms = self._by_english.get((phrase[0].rstrip("s"),))
                if terms:
                    found.extend((term, i, i + size) for term in terms)
                    i += size
                    break
            else:
                i += 1
        return found

    def matches(self, text: str) -> list[Term]:
        """Terms named in ``text`` (in English, or by another Swedish word), each once."""
        return list(dict.fromkeys(term for term, _, _ in self.match_spans(text)))

    def english_words_covered(self, text: str) -> set[str]:
        """The words of ``text`` that belong to a glossary phrase."""
        tokens = words(text)
        return {tokens[k] for _, start, end in self.match_spans(text) for k in range(start, end)}

    def term_for(self, swedish: str) -> Term | None:
        return self._by_swedish.get(swedish.lower())

    def bilingual_name(self, swedish: str) -> str:
        """ "Kommunstyrelsen (City Executive Board)" for a known body, the name unchanged otherwise."""
        term = self.term_for(swedish)
        if term is None:
            return swedish[:1].upper() + swedish[1:]
        english = term.english_name
        if swedish.lower() != term.name.lower() and swedish.lower().endswith(("er", "ar", "or")):
            # A plural Swedish form gets the list's plural English name where it has one.
            english = next((e for e in term.english if e.endswith("s") and e.startswith(english[:4])), english)
        return f"{swedish[:1].upper()}{swedish[1:]} ({english})"

    def body_names(self) -> frozenset[str]:
        """Lower-cased Swedish and English names of bodies and roles, to find them in a sentence."""
        return frozenset(
            name.lower() for t in self.terms if t.kind in ("body", "role") for name in (*t.swedish, *t.english)
        )

    def printable(self) -> list[Term]:
        return [t for t in self.terms if t.kind != "word"]
