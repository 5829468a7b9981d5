"""What a single line of plain text looks like: a list item, a sentence, a heading candidate.

Municipal documents exported to text or PDF lose their styles, so structure has to be read from
the shape of the lines. These predicates are shared by the plain-text structure detection and by
the loaders of formats that keep some markup (Markdown, HTML, Word).
"""

from __future__ import annotations

import re

MAX_HEADING_CHARS = 70
MAX_HEADING_WORDS = 9

# Bullets, "1." / "1)" / "(1)", and lowercase letters "a)" / "a." / "(a)". Uppercase "A." is left
# out on purpose: it is far more often an initial in a name ("K. Andersson") than a list marker.
LIST_MARKER = re.compile(
    r"""
    (?P<marker>
        [-–—•*▪◦●○■□►➢·]
      | \d{1,3}[.)]
      | \(\d{1,3}\)
      | [a-zåäö][.)]
      | \([a-zåäö]\)
      | [ivx]{2,4}\)
    )
    [ \t]+(?=\S)
    """,
    re.VERBOSE,
)

# A sentence ends at . ! or ? followed by a space and a capital or a digit. Requiring the capital
# keeps abbreviations ("bl.a. staden", "Org. nr") and e-mail addresses from counting as sentences;
# a lone capital before the period is an initial ("K. Andersson").
SENTENCE_BOUNDARY = re.compile(r"(?<!\b[A-ZÅÄÖ])[.!?][)\"'”’]?\s+[\dA-ZÅÄÖÉÜ]")
SENTENCE_END = re.compile(r"[.!?][)\"'”’]?$")
# Punctuation that closes a line of running text (":" introduces what follows, so it also
# means the text goes on in the next block rather than being a heading).
CLAUSE_END = re.compile(r"[.,;:!?][)\"'”’]?$")

# Lines made of digits and separators only: dates (2016-09-22), phone numbers (08-508 261 85),
# amounts and page numbers.
NUMBER_ONLY = re.compile(r"^[\d\s\-–/.:,()+]+$")
MONTHS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october"
)
DATE_WITH_MONTH_NAME = re.compile(rf"^\d{{1,2}}\s+(?:{MONTHS})\s+\d{{4}}$", re.IGNORECASE)
PAGE_NUMBER = re.compile(
    r"^(?:sida|page|s\.|p\.)?\s*\d{1,4}\s*(?:\(\s*\d{1,4}\s*\)|(?:av|of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
WEB_OR_MAIL = re.compile(r"@|https?://|www\.", re.IGNORECASE)
# "2.3 Mål" or "4.1.2 Uppföljning": the depth of the number gives the heading level.
SECTION_NUMBER = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2})+)\.?\s+\S")


def list_marker_length(line: str) -> int:
    """Length of the list marker and the space after it at the start of ``line``; 0 if none."""
    match = LIST_MARKER.match(line)
    return match.end() if match else 0


def has_sentence_punctuation(line: str) -> bool:
    """True if the line ends a sentence or contains a sentence boundary."""
    stripped = line.strip()
    return bool(SENTENCE_END.search(stripped) or SENTENCE_BOUNDARY.search(stripped))


def ends_clause(text: str) -> bool:
    """True if the text ends with punctuation that closes a sentence or a clause."""
    return bool(CLAUSE_END.search(text.rstrip()))


def ends_sentence_or_colon(text: str) -> bool:
    """True if text ends a sentence (or introduces something with a colon): it cannot be
    continued by the next block."""
    stripped = text.rstrip()
    return bool(SENTENCE_END.search(stripped) or stripped.endswith(":"))


def is_short_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) <= MAX_HEADING_CHARS and len(stripped.split()) <= MAX_HEADING_WORDS


def is_number_like(line: str) -> bool:
    """Dates, phone numbers, page numbers: lines that carry no words."""
    stripped = line.strip()
    return bool(NUMBER_ONLY.match(stripped) or DATE_WITH_MONTH_NAME.match(stripped) or PAGE_NUMBER.match(stripped))


def is_page_number(line: str) -> bool:
    return bool(PAGE_NUMBER.match(line.strip()))


def is_heading_shaped(line: str) -> bool:
    """A line that could be a heading on its own: short, starting with a capital or a digit,
    without closing punctuation or a sentence inside, and made of words rather than numbers.

    Whether it *is* a heading also depends on what follows it; see ``ingest.structure``.
    """
    stripped = line.strip()
    if not stripped or "\n" in stripped or not is_short_line(stripped):
        return False
    first = stripped[0]
    if not (first.isupper() or first.isdigit()):
        return False
    if ends_clause(stripped) or SENTENCE_BOUNDARY.search(stripped):
        return False
    if is_number_like(stripped) or WEB_OR_MAIL.search(stripped):
        return False
    return any(character.isalpha() for character in stripped)


def looks_like_short_lines(text: str) -> bool:
    """Several short lines and no sentences: an address, a letterhead or a signature."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 2 and all(is_short_line(line) and not has_sentence_punctuation(line) for line in lines)


def section_number_depth(heading: str) -> int:
    """2 for "2.3 Mål", 3 for "4.1.2 Uppföljning"; 0 when the heading has no multi-level number."""
    match = SECTION_NUMBER.match(heading.strip())
    return match.group("number").count(".") + 1 if match else 0
