"""Answers without a language model: the sentences that answer, quoted, with their sources.

The lead is the best sentence itself, attributed to its document; one or two more sentences follow only
when they add something the lead does not say. Quotes stay in the documents' Swedish; the framing follows
the question's language. Long sentences are shortened around what the question asks in the answer text,
while the citation keeps the whole sentence.
"""

from __future__ import annotations

import re

from knowledge.phrases import phrase
from knowledge.query import Query
from knowledge.sentence_scoring import ScoredSentence
from knowledge.types import Answer, Citation, IndexedDocument, Language

MAX_QUOTES = 3
SUPPORT_RATIO = 0.72
ANSWER_BUDGET = 430
LONG_QUOTE = 240
_CLAUSE = re.compile(r"(?<=,)\s+|\s+(?=och\s)|(?<=;)\s+")
# A sentence that opens with one of these leans on the one before it for its subject.
_REFERRING_OPENERS = frozenset(["de", "dessa", "detta", "denna", "sådana", "they", "these", "this", "it", "such"])
_ANNOUNCES = re.compile(r"\b(?:följande|following)\b", re.IGNORECASE)
_ANAPHORS = frozenset(["sådana", "sådan", "sådant", "dessa", "detta", "denna", "such", "these"])
_DEFINITE_ENDINGS = ("en", "et", "na", "ns")


def _first_words(text: str, count: int) -> list[str]:
    return [w.strip(".,;:()«»\"'").lower() for w in text.split()[:count]]


def leans_on_previous(sentence: str, previous: str) -> bool:
    """True when ``sentence`` refers back to ``previous``: "De beslutar ...", or a short form such as
    "Beredningen ..." of a body that ``previous`` names in full."""
    first = _first_words(sentence, 1)
    if not first:
        return False
    word = first[0]
    if word in _REFERRING_OPENERS:
        return True
    for ending in _DEFINITE_ENDINGS:
        if len(word) > len(ending) + 3 and word.endswith(ending):
            # Only a short form of a longer name counts: "Beredningen" after "Internationella beredningen".
            root = word[: -len(ending)]
            if re.search(rf"\w\s+{re.escape(root)}", previous.lower()):
                return True
    return False


def continues(sentence: str) -> bool:
    """True when ``sentence`` continues the one before it ("... bör sådana avtal ... omprövas")."""
    return bool(_ANAPHORS & set(_first_words(sentence, 8)))


def with_context(sentence: ScoredSentence) -> tuple[str, ...]:
    """The sentence, with the sentence before it when it depends on it for its subject, and the one after
    it when that one continues it: a quote must make sense on its own."""
    passage = sentence.passage
    spans = list(passage.sentences)
    index = spans.index(sentence.span) if sentence.span in spans else -1
    texts = [sentence.text]
    if index > 0:
        before = passage.text[spans[index - 1][0] : spans[index - 1][1]]
        if leans_on_previous(sentence.text, before):
            texts.insert(0, before)
    if 0 <= index < len(spans) - 1:
        after = passage.text[spans[index + 1][0] : spans[index + 1][1]]
        if continues(after):
            texts.append(after)
    return tuple(" ".join(t.split()) for t in texts)


def source_label(document: IndexedDocument) -> str:
    """A short name for a document, for the line that attributes a quote: "Trafikkontoret, remissvar 2016-09-22"."""
    meta = document.meta
    if meta.issuer:
        return ", ".join(p for p in (meta.issuer, f"{meta.kind} {meta.date}".strip()) if p)
    return meta.title + (f" ({meta.date})" if meta.date else "")


def citation_for(
    number: int, sentence: ScoredSentence, quote: tuple[str, ...], document: IndexedDocument, language: Language
) -> Citation:
    source = document.source
    if sentence.passage.page:
        source += ", " + phrase("page", language, page=sentence.passage.page)
    return Citation(
        number=number,
        document=document.meta.title,
        section=sentence.passage.section_label,
        date=document.meta.date,
        quote=" ".join(quote),
        source=source,
        score=round(sentence.score, 4),
        doc_id=document.doc_id,
        passage_id=sentence.passage.passage_id,
        kind=document.meta.kind,
    )


def choose_quotes(ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """The best sentence, and the next ones that score close to it and cover a concept of the question (not
    of an earlier turn) that the ones before do not."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    covered = set(ranked[0].concepts)
    length = len(ranked[0].text)
    for candidate in ranked[1:]:
        if len(chosen) >= MAX_QUOTES or candidate.score < SUPPORT_RATIO * ranked[0].score:
            break
        adds = candidate.concepts - covered
        if not adds or length + min(len(candidate.text), LONG_QUOTE) > ANSWER_BUDGET:
            continue
        chosen.append(candidate)
        covered |= candidate.concepts
        length += min(len(candidate.text), LONG_QUOTE)
    return chosen


def shorten(text: str, matched: frozenset[str], terms_of) -> str:  # type: ignore[no-untyped-def]
    """The run of clauses of a long sentence that holds most of what was asked, marked with "…"."""
    text = " ".join(text.split())
    if len(text) <= LONG_QUOTE:
        return text
    clauses = _CLAUSE.split(text)
    best, best_hits = text[:LONG_QUOTE], -1
    for i in range(len(clauses)):
        window = clauses[i]
        for j in range(i + 1, len(clauses) + 1):
            window = " ".join(clauses[i:j])
            if len(window) > LONG_QUOTE:
                break
            hits = len(matched & terms_of(window))
            if hits > best_hits or (hits == best_hits and len(window) > len(best)):
                best, best_hits = window, hits
    prefix = "" if text.startswith(best) else "… "
    suffix = "" if text.endswith(best) else " …"
    return prefix + best + suffix


class ExtractiveComposer:
    def __init__(  # type: ignore[no-untyped-def]
        self,
        documents: dict[str, IndexedDocument],
        topics: list[str],
        terms_of,
        subsections: dict[tuple[str, tuple[str, ...]], list[str]] | None = None,
    ) -> None:
        self._documents = documents
        self._topics = topics
        self._terms_of = terms_of
        self._subsections = subsections or {}

    def compose(self, query: Query, ranked: list[ScoredSentence]) -> Answer:
        chosen = choose_quotes(ranked)
        quotes = [with_context(s) for s in chosen]
        language = query.language
        citations = tuple(
            citation_for(n, s, q, self._documents[s.passage.doc_id], language)
            for n, (s, q) in enumerate(zip(chosen, quotes, strict=True), start=1)
        )
        lead_document = self._documents[chosen[0].passage.doc_id]
        lines = [phrase("according_to", language, source=source_label(lead_document))]
        for number, (sentence, quote) in enumerate(zip(chosen, quotes, strict=True), start=1):
            shown = " ".join(shorten(t, sentence.matched, self._terms_of) for t in quote)
            lines.append(f"{'' if number == 1 else '– '}«{shown}» [{number}]")
            listed = self._announced_sections(sentence)
            if listed:
                lines.append(phrase("sections", language, sections=" · ".join(listed)))
        return Answer("\n".join(lines), False, citations, language, question=query.question)

    def _announced_sections(self, sentence: ScoredSentence) -> list[str]:
        """The headings beneath a sentence that announces them ("Följande fyra inriktningar ... föreslås."):
        the sentence alone names none of them, its subsections do."""
        if not _ANNOUNCES.search(sentence.text):
            return []
        return self._subsections.get((sentence.passage.doc_id, sentence.passage.section), [])

    def abstain(self, query: Query) -> Answer:
        language = query.language
        topics = self._topics[:5]
        text = phrase("not_answered", language)
        if topics:
            text += " " + phrase("can_answer", language, topics="; ".join(t.lower() for t in topics))
        suggestions = tuple(phrase("suggestion", language, topic=t.lower()) for t in topics[:3])
        return Answer(text, True, (), language, suggestions, question=query.question)
