"""Answers without a language model: the sentences that answer, quoted, with their sources.

The lead is the best sentence itself, attributed to its document; one or two more sentences follow only
when they add something the lead does not say. Quotes stay in the documents' Swedish; the framing follows
the question's language. Long sentences are shortened around what the question asks in the answer text,
while the citation keeps the whole sentence.
"""

from __future__ import annotations

import re

from knowledge.answerability.answer_types import AskedKinds
from knowledge.answers.direct import direct_lead
from knowledge.answers.phrases import phrase
from knowledge.answers.quote_selection import QuoteSelection
from knowledge.retrieval.candidates import Candidate as ScoredSentence
from knowledge.retrieval.query import Query
from knowledge.text.text_analysis import NUMBER_WORDS
from knowledge.types import Answer, Citation, IndexedDocument, Language

MAX_QUOTES = 3
ANSWER_BUDGET = 430
# Another document's sentence is shown beside the lead when it is among the best few, holds at least half of
# the question's words and is about as close in meaning.
OTHER_DOCUMENT_WINDOW = 8
OTHER_DOCUMENT_COVERAGE = 0.5
OTHER_DOCUMENT_DENSE_GAP = 0.03
LONG_QUOTE = 240
_CLAUSE = re.compile(r"(?<=,)\s+|\s+(?=och\s)|(?<=;)\s+")
# A sentence that opens with one of these leans on the one before it for its subject.
_REFERRING_OPENERS = frozenset(["de", "dessa", "detta", "denna", "sådana", "they", "these", "this", "it", "such"])
# "Följande fyra inriktningar föreslås." / "... ska inriktas på tre områden.": the headings below list them.
_ANNOUNCES = re.compile(
    r"\b(?:följande|following)\b|\b(?:två|tre|fyra|fem|sex|sju|two|three|four|five|six|seven)\s+\w+\s*[.:]?\s*$",
    re.IGNORECASE,
)
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


def source_label(document: IndexedDocument, language: Language = "sv") -> str:
    """A short name for a document, for the line that attributes a quote: "Trafikkontoret, remissvar
    2016-09-22", "Stockholms stad, webbsida «Internationella beredningen»", with (ersatt) or (utdrag) where
    the sidecar says so."""
    meta = document.meta
    if meta.issuer and meta.kind in _PAGE_KINDS:
        label = f"{meta.issuer}, {meta.kind} «{meta.title}»" + (f" {meta.date}" if meta.date else "")
    elif meta.issuer:
        label = ", ".join(p for p in (meta.issuer, f"{meta.kind} {meta.date}".strip()) if p)
    else:
        label = meta.title + (f" ({meta.date})" if meta.date else "")
    if meta.superseded:
        label += " " + phrase("superseded", language)
    if not meta.complete:
        label += " " + phrase("excerpt", language)
    return label


_PAGE_KINDS = frozenset(["webbsida", "webpage", "web page", "pressmeddelande", "press release"])


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
        url=document.meta.url,
        language=document.meta.language,
        excerpt=not document.meta.complete,
        superseded=document.meta.superseded,
    )


def choose_quotes(ranked: list[ScoredSentence], close_ratio: float) -> list[ScoredSentence]:
    """The best sentence, and the next ones that score at least ``close_ratio`` of it (quote_selection.py),
    as many as fit the answer's budget."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    length = min(len(ranked[0].text), LONG_QUOTE)
    for candidate in ranked[1:]:
        if len(chosen) >= MAX_QUOTES or candidate.score < close_ratio * ranked[0].score:
            break
        if length + min(len(candidate.text), LONG_QUOTE) > ANSWER_BUDGET:
            continue
        chosen.append(candidate)
        length += min(len(candidate.text), LONG_QUOTE)
    return chosen


def with_other_document(
    chosen: list[ScoredSentence],
    ranked: list[ScoredSentence],
    documents: dict[str, IndexedDocument],
    floor: float = 0.0,
    close_ratio: float = 1.0,
) -> list[ScoredSentence]:
    """The chosen quotes, plus the best sentence of a document of another date that answers as closely,
    when every chosen quote comes from one document: documents of different dates may answer differently
    (the 2008 strategy's three areas, the 2016 proposal's four directions), and the asker should see both.
    The ranker must give it a probability of at least ``floor``, or score as close to the lead as a quoted
    runner-up must (quote_selection.py): when even the lead is unlikely, a close second is as good."""
    if not chosen or len({s.passage.doc_id for s in chosen}) > 1:
        return chosen
    lead = chosen[0]
    lead_date = documents[lead.passage.doc_id].meta.date
    for candidate in ranked[:OTHER_DOCUMENT_WINDOW]:
        document = documents[candidate.passage.doc_id]
        if (
            document.doc_id != lead.passage.doc_id
            and document.meta.date != lead_date
            and candidate.score >= min(floor, close_ratio * lead.score)
            and candidate.lexical >= OTHER_DOCUMENT_COVERAGE
            and candidate.dense >= lead.dense - OTHER_DOCUMENT_DENSE_GAP
        ):
            # The other date's answer matters more than the last runner-up of the same document.
            return [*chosen[: MAX_QUOTES - 1], candidate]
    return chosen


def newest_first(chosen: list[ScoredSentence], documents: dict[str, IndexedDocument]) -> list[ScoredSentence]:
    """Quotes from documents of different dates, newest first (undated after dated), so that a later
    document's answer is read before an earlier one's; quotes from one document keep the ranking."""
    dates = {s.passage.doc_id: documents[s.passage.doc_id].meta.date for s in chosen}
    if len(set(dates.values())) < 2:
        return chosen
    first_seen = {doc: i for i, doc in reversed(list(enumerate(s.passage.doc_id for s in chosen)))}
    return sorted(
        chosen,
        key=lambda s: (dates[s.passage.doc_id] == "", _negated(dates[s.passage.doc_id]), first_seen[s.passage.doc_id]),
    )


def _negated(date: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in date)


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
        quotes: QuoteSelection,
        subsections: dict[tuple[str, tuple[str, ...]], list[str]] | None = None,
    ) -> None:
        self._documents = documents
        self._topics = topics
        self._terms_of = terms_of
        self._quotes = quotes
        self._subsections = subsections or {}

    def compose(self, query: Query, ranked: list[ScoredSentence], asked: AskedKinds | None = None) -> Answer:
        selection = self._quotes
        chosen = choose_quotes(ranked, selection.close_ratio)
        chosen = with_other_document(chosen, ranked, self._documents, selection.other_date_floor, selection.close_ratio)
        chosen = newest_first(chosen, self._documents)
        quotes = [with_context(s) for s in chosen]
        language = query.language
        citations = tuple(
            citation_for(n, s, q, self._documents[s.passage.doc_id], language)
            for n, (s, q) in enumerate(zip(chosen, quotes, strict=True), start=1)
        )
        several = len({s.passage.doc_id for s in chosen}) > 1
        lines = [phrase("several_documents", language)] if several else []
        previous_document = ""
        for number, (sentence, quote) in enumerate(zip(chosen, quotes, strict=True), start=1):
            document = self._documents[sentence.passage.doc_id]
            shown = " ".join(shorten(t, sentence.matched, self._terms_of) for t in quote)
            if document.doc_id != previous_document:
                lines.append(self._attribution(document, language))
                previous_document = document.doc_id
            lines.append(f"{'– ' if several or number > 1 else ''}«{shown}» [{number}]")
            listed = self._announced_sections(sentence)
            if listed:
                lines.append(phrase("sections", language, sections=" · ".join(listed)))
        if asked is not None and chosen:
            # Only the best sentence may give the direct answer; "newest first" may have moved it.
            best = ranked[0]
            lead = direct_lead(query.question, asked, " ".join(with_context(best)), best.lexical, language)
            if lead:
                lines[0] = f"{lead} {lines[0]}"
        return Answer("\n".join(lines), False, citations, language, question=query.question)

    @staticmethod
    def _attribution(document: IndexedDocument, language: Language) -> str:
        # An English answer says when it quotes Swedish; a document in the asker's language needs no note.
        key = "according_to_other_language" if document.meta.language != language else "according_to"
        return phrase(key, language, source=source_label(document, language))

    def _announced_sections(self, sentence: ScoredSentence) -> list[str]:
        """The headings beneath a sentence that announces them ("Följande fyra inriktningar ... föreslås."):
        the sentence alone names none of them, its subsections do."""
        announced = _ANNOUNCES.search(sentence.text)
        if not announced:
            return []
        doc_id, section = sentence.passage.doc_id, sentence.passage.section
        listed = self._subsections.get((doc_id, section), [])
        if not listed and section:
            # A flat page puts the announced parts beside the announcing section, not beneath it.
            siblings = self._subsections.get((doc_id, section[:-1]), [])
            index = siblings.index(section[-1]) if section[-1] in siblings else len(siblings)
            listed = siblings[index + 1 :]
        count = NUMBER_WORDS.get((announced.group(0).split() or [""])[0].lower())
        return listed[:count] if count and len(listed) >= count else listed

    def abstain(self, query: Query, suggestions: tuple[str, ...] = ()) -> Answer:
        """ "I don't know", with the nearby questions that the documents do answer; without any, the main
        topics of the documents."""
        language = query.language
        text = phrase("not_answered", language)
        topics = self._topics[:5]
        if not suggestions and topics:
            text += " " + phrase("can_answer", language, topics="; ".join(t.lower() for t in topics))
        return Answer(text, True, (), language, suggestions, question=query.question)
