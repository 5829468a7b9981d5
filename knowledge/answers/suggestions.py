"""Questions to suggest when the documents do not answer the one asked.

Suggestions are made from what lies closest to the question in the documents: the sentences the ranker
liked best, even though they did not answer. A sentence that the responsibility register holds becomes a
who-question ("Vem beslutar om ...?"); any other becomes a question about its section ("Vad säger ... om
...?"). The engine then asks each one and keeps only those it answers, so that a click on a suggestion
never ends in another "I don't know".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from knowledge.answers.phrases import phrase
from knowledge.retrieval.candidates import Candidate
from knowledge.types import IndexedDocument, Language, Responsibility

MAX_SUGGESTIONS = 3
DRAFTS = 6
"""Questions drafted before checking: enough that three usually survive, few enough to stay fast."""
MAX_SUGGESTION_CHARS = 80
"""Longer questions do not fit on a button."""
MAX_OBJECT_CHARS = 70
"""A who-question about a longer object reads as a paragraph; its section's question is used instead."""
# Headings that name a part of a document rather than what it is about: a question about "sammanfattning"
# tells the asker nothing.
_STRUCTURAL_HEADINGS = frozenset(
    [
        "sammanfattning",
        "bakgrund",
        "inledning",
        "ärendet",
        "remissen",
        "beslut",
        "förslag",
        "förslag till beslut",
        "bilagor",
        "bilaga",
        "summary",
        "background",
        "introduction",
        "conclusion",
        "appendix",
    ]
)


# A heading that ends in one of these names a part of the document ("Trafikkontorets synpunkter"), not a
# subject a person would ask about.
_PART_WORDS = frozenset(
    ["synpunkter", "yttrande", "bedömning", "kommentarer", "överväganden", "ställningstagande", "comments", "views"]
)
ECHO_MIN_LETTERS = 5
ECHO_ENDING_LETTERS = 3
"""A heading's word counts as repeated in its section when the section holds the word without up to this
many final letters (an inflection), and at least ECHO_MIN_LETTERS of it."""


def draft_suggestions(
    ranked: Sequence[Candidate],
    records: Iterable[Responsibility],
    documents: dict[str, IndexedDocument],
    language: Language,
    limit: int = DRAFTS,
) -> list[str]:
    """Questions about the best candidates' content in the asker's ``language``, best first, without
    repeats."""
    by_passage: dict[str, list[Responsibility]] = {}
    for record in records:
        by_passage.setdefault(record.passage_id, []).append(record)
    drafted: list[str] = []
    for candidate in ranked:
        if len(drafted) >= limit:
            break
        sentence = " ".join(candidate.text.split())
        record = next(
            (
                r
                for r in by_passage.get(candidate.passage.passage_id, [])
                if len(r.object) <= MAX_OBJECT_CHARS and _same_sentence(r.quote, sentence)
            ),
            None,
        )
        document = documents.get(candidate.passage.doc_id)
        # The object of a question is the document's own words. In the asker's language around words of
        # another ("Who leads ett internationellt nätverk?") it reads as neither: then only a question about
        # the section is drafted, its heading quoted as the title it is.
        foreign = document is not None and document.meta.language != language
        question = (
            who_question(record, language)
            if record is not None and not foreign
            else section_question(candidate, document, language, quoted=foreign)
        )
        if question and len(question) <= MAX_SUGGESTION_CHARS and question not in drafted:
            drafted.append(question)
    return drafted


def who_question(record: Responsibility, language: Language) -> str:
    verb = phrase(f"ask_{record.action}", language)
    return f"{verb} {record.object.strip().rstrip('.')}?"


def section_question(
    candidate: Candidate, document: IndexedDocument | None, language: Language, quoted: bool = False
) -> str:
    """``quoted``: the heading is in another language than the question, so it is quoted as a title."""
    heading = " ".join(candidate.passage.section[-1].split()) if candidate.passage.section else ""
    if document is None or not _is_topic(heading) or heading.lower() == " ".join(document.meta.title.split()).lower():
        return ""
    if not _echoed(heading, candidate.passage.text):
        return ""
    return phrase("ask_section", language, heading=f"“{heading}”" if quoted else _as_object(heading))


def _is_topic(heading: str) -> bool:
    """A heading that says what its section is about: words only (no dates, times or bullets), and not
    one of the names of a document's parts."""
    if not heading or any(not (ch.isalpha() or ch in " -–,'’") for ch in heading):
        return False
    words = heading.lower().split()
    return heading.lower() not in _STRUCTURAL_HEADINGS and words[-1] not in _PART_WORDS


def _echoed(heading: str, text: str) -> bool:
    """Whether the section's text repeats a word of its heading (by its first letters, so that inflected
    forms count). A photo caption set as a heading ("EU-flagga i Stadshusparken") names nothing the text
    below it is about."""
    body = text.lower()
    content = [w for w in heading.lower().replace("-", " ").split() if len(w) >= ECHO_MIN_LETTERS]
    return not content or any(w[: max(ECHO_MIN_LETTERS, len(w) - ECHO_ENDING_LETTERS)] in body for w in content)


def _same_sentence(quote: str, sentence: str) -> bool:
    quote = " ".join(quote.split())
    return bool(quote) and (quote in sentence or sentence in quote)


def _as_object(heading: str) -> str:
    """A heading inside a sentence: lower-case first letter, unless it is an acronym ("EU-projekt")."""
    heading = heading.strip().rstrip(".:")
    first = heading.split()[0] if heading.split() else ""
    if len(first) > 1 and first[1].isupper():
        return heading
    return heading[:1].lower() + heading[1:]
