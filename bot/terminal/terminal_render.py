"""Answers and the responsibility register as text for a terminal, wrapped at word boundaries to its width.

An extractive answer already quotes its sources in its text («…» [n]); the source list then only says
where each quote comes from, in a short line ("Trafikkontoret, remissvar 2016-09-22 – Övergripande
principer"), and gives the quote itself only when the text does not show it (a chat model's wording, or a
who-decides answer that restates the sentence).
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.terminal.text_table import RowGroup, render_table, wrap_words
from knowledge.answers.extractive import source_label
from knowledge.types import Answer, Citation, IndexedDocument, Language, Responsibility

TITLE_CHARS = 60
SECTION_CHARS = 60
NARROWEST = 20
"""Below this many columns wrapping stops helping; lines may then be longer than the terminal."""

_QUOTED = re.compile(r"«([^»]*)»\s*\[(\d+)\]")
_MARKER_SPACE = re.compile(r" \[(?=\d+\])")
_GLUE = "\ue000"
_REGISTER_HEADERS = ("Gör", "Vad", "Gäller", "Källa")


def terminal_width() -> int:
    return max(shutil.get_terminal_size().columns, NARROWEST)


def render_answer(answer: Answer, documents: Mapping[str, IndexedDocument], width: int) -> str:
    """The answer text, then one short line per source, each quote shown once."""
    lines = [wrapped for line in answer.text.splitlines() for wrapped in _wrap_text_line(line, width)]
    if answer.citations:
        shown = quoted_in_text(answer.text, answer.citations)
        lines.append("")
        lines.append("Källor:" if answer.language == "sv" else "Sources:")
        for c in answer.citations:
            where = citation_source(c, documents.get(c.doc_id), answer.language)
            lines.extend(wrap_words(f"[{c.number}] {where}", width, rest="    "))
            if c.number not in shown:
                lines.extend(wrap_words(f"«{c.quote}»", width, "    ", "     "))
    if answer.suggestions:
        lines.append("")
        lines.append(_SUGGESTIONS_HEADING[(answer.abstained, answer.language)])
        for suggestion in answer.suggestions:
            lines.extend(wrap_words(f"· {suggestion}", width, "  ", "    "))
    return "\n".join(lines)


_SUGGESTIONS_HEADING = {
    (True, "sv"): "Prova att fråga:",
    (True, "en"): "Try asking:",
    (False, "sv"): "Fråga vidare:",
    (False, "en"): "Ask next:",
}


def quoted_in_text(text: str, citations: Sequence[Citation]) -> set[int]:
    """Numbers of the citations whose quote the text already shows: «quote» [n], whole or visibly
    shortened with "…" (every piece of it from the quote)."""
    quotes = {c.number: " ".join(c.quote.split()) for c in citations}
    shown: set[int] = set()
    for match in _QUOTED.finditer(text):
        number, segment = int(match.group(2)), " ".join(match.group(1).split())
        quote = quotes.get(number)
        if quote is None:
            continue
        pieces = [p.strip() for p in segment.split("…") if p.strip()]
        shortened = "…" in segment and bool(pieces) and all(p in quote for p in pieces)
        if segment == quote or shortened:
            shown.add(number)
    return shown


def citation_source(citation: Citation, document: IndexedDocument | None, language: Language) -> str:
    """Who issued the document, what kind and when, the page if any, and the innermost heading."""
    # A citation's source is the file name, then the page where there is one: keep the page.
    page = ""
    if document is not None and citation.source.startswith(document.source):
        page = citation.source[len(document.source) :]
    return short_source(document, citation.document, citation.date, citation.section, language, page)


def short_source(
    document: IndexedDocument | None, title: str, date: str, section: str, language: Language = "sv", page: str = ""
) -> str:
    if document is None:
        label = _shorten(title, TITLE_CHARS) + (f" ({date})" if date else "")
    else:
        short_title = replace(document.meta, title=_shorten(document.meta.title, TITLE_CHARS))
        label = source_label(replace(document, meta=short_title), language)
    innermost = section.split(" › ")[-1] if section else ""
    return f"{label}{page} – {_shorten(innermost, SECTION_CHARS)}" if innermost else label + page


def render_responsibilities(
    records: Sequence[Responsibility], documents: Mapping[str, IndexedDocument], width: int
) -> str:
    """The register as one table, its rows grouped by the body that acts, bodies in alphabetical order."""
    by_actor: dict[str, list[tuple[str, ...]]] = {}
    for r in records:
        source = short_source(documents.get(r.doc_id), r.document, r.date, r.section)
        by_actor.setdefault(r.actor, []).append((r.action, r.object, r.scope, source))
    groups = [
        RowGroup(actor[:1].upper() + actor[1:], tuple(rows))
        for actor, rows in sorted(by_actor.items(), key=lambda item: _swedish_order(item[0]))
    ]
    return "\n".join(render_table(_REGISTER_HEADERS, groups, width))


def _wrap_text_line(line: str, width: int) -> list[str]:
    if not line.strip():
        return [""]
    # List items ("– ...", "· ...") continue under their text, not under the dash.
    hanging = "  " if line.startswith(("– ", "· ", "- ")) else ""
    # A citation marker stays on the line of the word it follows: its space is hidden from the wrapper.
    glued = _MARKER_SPACE.sub(_GLUE + "[", line)
    return [wrapped.replace(_GLUE, " ") for wrapped in wrap_words(glued, width, rest=hanging)] or [""]


def _shorten(text: str, chars: int) -> str:
    short = textwrap.shorten(text, chars, placeholder=" …")
    # One word longer than ``chars`` leaves only the placeholder: cut the word instead.
    return short if short.strip("… ") else text[: chars - 1] + "…"


_SWEDISH_LETTERS = str.maketrans({"å": "{", "ä": "|", "ö": "}"})
"""Å, Ä and Ö come after Z in Swedish, in that order; characters after "z" in ASCII keep them there."""


def _swedish_order(name: str) -> str:
    return name.lower().translate(_SWEDISH_LETTERS)
