"""Getting started, for new international contact persons: what they must know, each step answered and
cited from the indexed documents, never written from memory.

The steps are questions; the documents answer them. A step the documents do not answer is left out, so
the walk-through only ever says what the corpus says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from knowledge.types import Answer, Citation, Language

# (title, question) per step, in the order a new contact person needs them.
STEPS: dict[Language, tuple[tuple[str, str], ...]] = {
    "sv": (
        ("Din roll och ditt mandat", "Vem ska utse en internationell kontaktperson och med vilket mandat?"),
        ("Det internationella nätverket", "Vem leder det internationella nätverket och vad gör det?"),
        ("Vem beslutar vad", "Vem beslutar om medlemskap i internationella nätverk och organisationer?"),
        ("Besök och delegationer", "Vem ansvarar för internationella besök och besöksförfrågningar?"),
        ("Var du får stöd", "Vem erbjuder stöd och rådgivning i internationellt arbete?"),
    ),
    "en": (
        ("Your role and mandate", "Who appoints an international contact person, and with what mandate?"),
        ("The international network", "Who leads the international network, and what is it for?"),
        ("Who decides what", "Who decides on membership in international networks and organisations?"),
        ("Visits and delegations", "Who is responsible for international visits and visit requests?"),
        ("Where to get support", "Who offers support and advice in international work?"),
    ),
}
_HEADER: dict[Language, str] = {
    "sv": "Kom igång som internationell kontaktperson – det här säger dokumenten:",
    "en": "Getting started as an international contact person – what the documents say:",
}
_MARKER = re.compile(r"\[(\d+)\]")


def get_started(ask: Callable[[str], Answer], language: Language) -> Answer:
    """One answer made of the answered steps, with their citations numbered through."""
    lines = [_HEADER[language]]
    citations: list[Citation] = []
    seen_quotes: dict[str, int] = {}
    for number, (title, question) in enumerate(STEPS[language], start=1):
        answer = ask(question)
        if answer.abstained or not answer.citations:
            continue
        renumber: dict[int, int] = {}
        for citation in answer.citations:
            if citation.quote not in seen_quotes:
                seen_quotes[citation.quote] = len(citations) + 1
                citations.append(replace(citation, number=len(citations) + 1))
            renumber[citation.number] = seen_quotes[citation.quote]
        # The first line only attributes the source; the citations already carry it.
        body = [line for line in answer.text.splitlines()[1:] if line.strip()]
        text = "\n".join(body)
        text = _MARKER.sub(lambda m, table=renumber: f"[{table.get(int(m.group(1)), int(m.group(1)))}]", text)
        lines.append(f"\n{number}. {title}\n{text}")
    return Answer("\n".join(lines), not citations, tuple(citations), language, question=_HEADER[language])
