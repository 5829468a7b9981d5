"""Getting started, for new international contact persons: what they must know, each step answered and
cited from the indexed documents, never written from memory.

The steps are questions; the documents answer them. A step the documents do not answer is left out, so
the walk-through only ever says what the corpus says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from knowledge.types import Answer, Citation, Language


@dataclass(frozen=True)
class Step:
    title: dict[Language, str]
    question: str
    """Asked in the documents' own language, whatever the asker's: both languages get the same facts."""


STEPS: tuple[Step, ...] = (
    Step(
        {"sv": "Din roll och ditt mandat", "en": "Your role and mandate"},
        "Vem ska utse en internationell kontaktperson och med vilket mandat?",
    ),
    Step(
        {"sv": "Det internationella nätverket", "en": "The international network"},
        "Vem leder det internationella nätverket och vad gör det?",
    ),
    Step(
        {"sv": "Vem beslutar vad", "en": "Who decides what"},
        "Vem beslutar om medlemskap och deltagande i internationella nätverk och organisationer?",
    ),
    Step(
        {"sv": "Besök och delegationer", "en": "Visits and delegations"},
        "Vem ansvarar för internationella besök och besöksförfrågningar?",
    ),
    Step(
        {"sv": "Var du får stöd", "en": "Where to get support"},
        "Vem erbjuder stöd och rådgivning i internationellt arbete?",
    ),
)
_HEADER: dict[Language, str] = {
    "sv": "Kom igång som internationell kontaktperson – det här säger dokumenten:",
    "en": "Getting started as an international contact person – what the documents say:",
}
_MARKER = re.compile(r"\[(\d+)\]")


def get_started(ask: Callable[[str, Language], Answer], language: Language) -> Answer:
    """One answer made of the answered steps, with their citations numbered through.

    ``ask(question, language)`` answers a step's question, composed in ``language``. A sentence cited by
    several steps is kept only in the step it answers best (where it leads), so that each step's quotes are
    about that step.
    """
    answered = [(step, ask(step.question, language)) for step in STEPS]
    answered = [(step, a) for step, a in answered if not a.abstained and a.citations]
    leads = {a.citations[0].quote: i for i, (_, a) in enumerate(answered)}
    lines = [_HEADER[language]]
    citations: list[Citation] = []
    seen_quotes: dict[str, int] = {}
    for index, (step, answer) in enumerate(answered):
        elsewhere = {c.number for c in answer.citations if leads.get(c.quote, index) != index}
        renumber: dict[int, int] = {}
        for citation in answer.citations:
            if citation.number in elsewhere:
                continue
            if citation.quote not in seen_quotes:
                seen_quotes[citation.quote] = len(citations) + 1
                citations.append(replace(citation, number=len(citations) + 1))
            renumber[citation.number] = seen_quotes[citation.quote]
        # The first line only attributes the source; the citations already carry it.
        body = [
            line
            for line in answer.text.splitlines()[1:]
            if line.strip() and not ({int(n) for n in _MARKER.findall(line)} & elsewhere)
        ]
        text = "\n".join(body)
        text = _MARKER.sub(lambda m, table=renumber: f"[{table.get(int(m.group(1)), int(m.group(1)))}]", text)
        # A bold line, not "1. ...": Teams renders a numbered line between bullets as a broken list.
        lines.append(f"\n**{step.title[language]}**\n{text}")
    return Answer("\n".join(lines), not citations, tuple(citations), language, question=_HEADER[language])
