"""Whether the documents answer a question at all. Wrong confidence is worse than "I don't know".

Dense similarity cannot decide this: e5 scores an unrelated question against the nearest sentence about as
high as a related one (0.81 for a bus-fare question, 0.84 for a real one, measured on the bundled corpus).
What separates them is vocabulary: a question about something the documents never mention has content
words the corpus does not know. So a question is answered only when most of its weighted content is known
to the corpus and the best sentence itself covers enough of it (or says it in other words, very closely).
"""

from __future__ import annotations

from knowledge.query import Query
from knowledge.sentence_scoring import ScoredSentence

MIN_COVERAGE = 0.6
MIN_SENTENCE_LEXICAL = 0.25
CLOSE_PARAPHRASE = 0.89


def is_answerable(query: Query, best: ScoredSentence | None) -> bool:
    if best is None or query.coverage < MIN_COVERAGE:
        return False
    return best.lexical >= MIN_SENTENCE_LEXICAL or best.dense >= CLOSE_PARAPHRASE


def names_what_is_asked_about(best: ScoredSentence | None, subject: frozenset[int]) -> bool:
    """A who-question ("Vem leder kommunstyrelsen?") asks who acts on something: a sentence that names the
    act but not that something ("Internationella beredningen leds av ...") does not answer it."""
    return best is not None and (not subject or bool(best.concepts & subject))
