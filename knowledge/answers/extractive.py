"""Answers without a language model: the sentences that answer, quoted, with their sources.

The lead is the best sentence itself, attributed to its document; one or two more sentences follow only
when they add something the lead does not say. Quotes stay in the documents' Swedish; the framing follows
the question's language. Long sentences are shortened around what the question asks in the answer text,
while the citation keeps the whole sentence.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.answerability.answer_types import AskedKinds, held_kinds
from knowledge.answers.direct import direct_lead
from knowledge.answers.phrases import phrase
from knowledge.answers.quote_selection import QuoteSelection
from knowledge.retrieval.candidates import Candidate as ScoredSentence
from knowledge.retrieval.query import Query
from knowledge.text.text_analysis import NUMBER_WORDS
from knowledge.types import Answer, Citation, IndexedDocument, Language

MAX_QUOTES = 3
ANSWER_BUDGET = 430
# Kinds of answer a quote may take from its neighbouring sentence when it lacks them itself.
NEIGHBOUR_KINDS = frozenset(["number", "date", "money", "person"])
# A sentence that announces a list without saying how many items it has is quoted with at most this many.
MAX_LIST_ITEMS = 6
# An unsure reply shows this many of the closest sentences.
UNSURE_QUOTES = 3
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


def _same_text_key(sentence: ScoredSentence) -> str:
    return " ".join(sentence.text.split()).lower()


def _sentence_keys(candidate: ScoredSentence) -> set[str]:
    """The sentences its quote shows: those of its span, and those the quote takes for context."""
    start, end = candidate.span
    inside = [(a, b) for a, b in candidate.passage.sentences if a >= start and b <= end]
    keys = {" ".join(candidate.passage.text[a:b].split()).lower() for a, b in inside}
    return keys | {t.lower() for t in with_context(candidate)}


def _overlapping(one: ScoredSentence, other: ScoredSentence) -> bool:
    """Whether two candidates of one document quote a sentence in common (a sentence and a window around it,
    two windows that share a sentence, or the same sentence in two overlapping passages)."""
    return one.passage.doc_id == other.passage.doc_id and bool(_sentence_keys(one) & _sentence_keys(other))


def without_overlaps(chosen: list[ScoredSentence]) -> list[ScoredSentence]:
    """The quotes without those that share a sentence with an earlier one of their document: a sentence
    window holds sentences that are candidates of their own, and quoting both shows the same words twice."""
    kept: list[ScoredSentence] = []
    for sentence in chosen:
        if not any(_overlapping(sentence, other) for other in kept):
            kept.append(sentence)
    return kept


def without_repeats(chosen: list[ScoredSentence]) -> tuple[list[ScoredSentence], dict[int, list[str]]]:
    """The quotes with every repeat of the same words left out, the first kept; and for each kept quote (by
    position) the other documents that say it too: the same fact on a Swedish and an English page, or in two
    versions, is quoted once and the other document named."""
    kept: list[ScoredSentence] = []
    also: dict[int, list[str]] = {}
    for sentence in chosen:
        key = _same_text_key(sentence)
        index = next((i for i, k in enumerate(kept) if _same_text_key(k) == key), None)
        if index is None:
            kept.append(sentence)
        elif sentence.passage.doc_id != kept[index].passage.doc_id:
            others = also.setdefault(index, [])
            if sentence.passage.doc_id not in others:
                others.append(sentence.passage.doc_id)
    return kept, also


def with_wanted_neighbour(sentence: ScoredSentence, quote: tuple[str, ...], wanted: frozenset[str]) -> tuple[str, ...]:
    """The quote, with the next (or else the previous) sentence of its passage when the quote lacks the kind
    of answer asked for (a number, a date, an amount, a name) and that neighbour holds it: "C40 ... är en
    organisation ..." answers "vilka år?" only with "Mellan 2019-2022 var staden del av ... styrgrupp"."""
    missing = {k for k in wanted if k not in held_kinds(" ".join(quote), frozenset())}
    if not missing:
        return quote
    passage = sentence.passage
    spans = list(passage.sentences)
    if sentence.span not in spans:
        return quote
    index = spans.index(sentence.span)
    for neighbour, at_end in ((index + 1, True), (index - 1, False)):
        if not 0 <= neighbour < len(spans):
            continue
        text = " ".join(passage.text[spans[neighbour][0] : spans[neighbour][1]].split())
        if text in quote or not missing <= held_kinds(text, frozenset()):
            continue
        return (*quote, text) if at_end else (text, *quote)
    return quote


def with_announced_items(sentence: ScoredSentence, quote: tuple[str, ...]) -> tuple[str, ...]:
    """The quote, with the list items that follow when it ends by announcing them ("... tre ömsesidigt
    förstärkande principer ska styra stadens EU-arbete:"): as many as it announces ("tre"), or else the
    items up to the one that ends the list with a full stop, at most MAX_LIST_ITEMS."""
    if not quote or not quote[-1].rstrip().endswith(":"):
        return quote
    passage = sentence.passage
    spans = list(passage.sentences)
    last = next((i for i, (a, b) in enumerate(spans) if " ".join(passage.text[a:b].split()) == quote[-1]), None)
    if last is None:
        return quote
    announced = _announced_count(quote[-1])
    items: list[str] = []
    for start, end in spans[last + 1 : last + 1 + (announced or MAX_LIST_ITEMS)]:
        item = " ".join(passage.text[start:end].split())
        items.append(item)
        if announced is None and item.endswith("."):
            break
    # Items are often written without closing punctuation: a separator keeps them apart when quoted.
    marked = [item if item[-1:] in ".;:!?" else f"{item} ·" for item in items[:-1]]
    return (*quote, *marked, *items[-1:])


def _announced_count(text: str) -> int | None:
    found = [NUMBER_WORDS[w] for w in re.findall(r"\w+", text.lower()) if w in NUMBER_WORDS]
    return found[-1] if len(found) == 1 else None


def source_label(document: IndexedDocument, language: Language = "sv") -> str:
    """A short name for a document, for the line that attributes a quote: "Trafikkontoret, remissvar
    2016-09-22", "Stockholms stad, webbsida «Internationella beredningen»", with (ersatt) or (utdrag) where
    the sidecar says so."""
    meta = document.meta
    # An undated document says so, so that it is not read as current or as old by its place in the answer.
    date = meta.date or phrase("undated", language)
    if meta.issuer and meta.kind in _PAGE_KINDS:
        label = f"{meta.issuer}, {meta.kind} «{meta.title}» {date}"
    elif meta.issuer:
        label = ", ".join(p for p in (meta.issuer, f"{meta.kind} {date}".strip()) if p)
    else:
        label = f"{meta.title} ({date})"
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
    document's answer is read before an earlier one's; a superseded document follows every current one,
    whatever its date; quotes from one document keep the ranking."""
    dates = {s.passage.doc_id: documents[s.passage.doc_id].meta.date for s in chosen}
    superseded = {s.passage.doc_id: documents[s.passage.doc_id].meta.superseded for s in chosen}
    if len(set(dates.values())) < 2 and len(set(superseded.values())) < 2:
        return chosen
    first_seen = {doc: i for i, doc in reversed(list(enumerate(s.passage.doc_id for s in chosen)))}
    return sorted(
        chosen,
        key=lambda s: (
            superseded[s.passage.doc_id],
            dates[s.passage.doc_id] == "",
            _negated(dates[s.passage.doc_id]),
            first_seen[s.passage.doc_id],
        ),
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
        chosen, also = without_repeats(without_overlaps(chosen))
        several = len({s.passage.doc_id for s in chosen}) > 1
        heading = [phrase("several_documents", query.language)] if several else []
        wanted = asked.kinds & NEIGHBOUR_KINDS if asked is not None else frozenset()
        answer = self._quoted(query, chosen, heading, numbered=several, wanted=wanted, also=also)
        if asked is not None and chosen and _same_text_key(chosen[0]) == _same_text_key(ranked[0]):
            # Only the best sentence (or its words in another document) may give the direct answer, and only
            # when it is read first: when "newest first" puts another date's quote before it, that document may
            # answer otherwise.
            best = ranked[0]
            lead = direct_lead(query.question, asked, " ".join(with_context(best)), best.lexical, query.language)
            if lead:
                lines = answer.text.split("\n")
                lines[0] = f"{lead} {lines[0]}"
                answer = Answer("\n".join(lines), False, answer.citations, answer.language, question=query.question)
        return answer

    def closest(self, query: Query, ranked: list[ScoredSentence]) -> Answer:
        """The reply when the documents may answer but the evidence is weak: the closest passages, none
        presented as the answer (no direct lead), under a line that says so."""
        chosen: list[ScoredSentence] = []
        seen: set[str] = set()
        for sentence in ranked:
            if len(seen) >= UNSURE_QUOTES:
                break
            # A sentence window holds sentences that are candidates of their own: quoting both would show
            # the same words twice instead of another passage.
            if any(_overlapping(sentence, other) for other in chosen):
                continue
            seen.add(_same_text_key(sentence))
            chosen.append(sentence)
        # Closest first, as ranked: none is the answer, so no date decides the order; but a superseded
        # version never comes before a current one.
        chosen.sort(key=lambda s: self._documents[s.passage.doc_id].meta.superseded)
        chosen, also = without_repeats(chosen)
        heading = [phrase("unsure", query.language)]
        answer = self._quoted(query, chosen, heading, numbered=True, also=also)
        return replace(answer, sure=False)

    def _quoted(
        self,
        query: Query,
        chosen: list[ScoredSentence],
        heading: list[str],
        *,
        numbered: bool,
        wanted: frozenset[str] = frozenset(),
        also: dict[int, list[str]] | None = None,
    ) -> Answer:
        """``also``: for a quote (by its position), the other documents that say the same words."""
        quotes = [with_announced_items(s, with_wanted_neighbour(s, with_context(s), wanted)) for s in chosen]
        language = query.language
        citations = tuple(
            citation_for(n, s, q, self._documents[s.passage.doc_id], language)
            for n, (s, q) in enumerate(zip(chosen, quotes, strict=True), start=1)
        )
        lines = list(heading)
        previous_document = ""
        for number, (sentence, quote) in enumerate(zip(chosen, quotes, strict=True), start=1):
            document = self._documents[sentence.passage.doc_id]
            shown = " ".join(shorten(t, sentence.matched, self._terms_of) for t in quote)
            if document.doc_id != previous_document:
                lines.append(self._attribution(document, language))
                previous_document = document.doc_id
            repeated = (also or {}).get(number - 1, [])
            sources = "; ".join(source_label(self._documents[d], language) for d in repeated)
            named = " " + phrase("also_in", language, sources=sources) if repeated else ""
            lines.append(f"{'– ' if numbered or number > 1 else ''}«{shown}» [{number}]{named}")
            listed = self._announced_sections(sentence)
            if listed:
                lines.append(phrase("sections", language, sections=" · ".join(listed)))
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
