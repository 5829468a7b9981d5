"""Page headers and footers left inside running text.

Text copied out of a printed document keeps each page's header where the page broke, often in the
middle of the running text: "... i en alltmer Dnr 171-482/2016 Sida 2 (7) internationell ...". Left in,
the header becomes part of a quoted sentence and its words (diary number, page) match questions they
have nothing to do with.

A header is recognised by its page marker with a page total ("Sida 2 (7)", "Sida 2 av 7", "Page 2 of 7",
"s. 2/7"): a page number alone is too common in prose ("se sida 3") to remove. What stands before and
after the marker is part of the header when it repeats at every marker (the diary number, the
document's name); with a single marker, only a diary number before it is taken with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PAGE_MARKER = re.compile(
    r"(?<!\w)(?:sida|sid\.|page|p\.|s\.)\s*\d{1,4}\s*(?:\(\s*\d{1,4}\s*\)|(?:av|of|/)\s*\d{1,4})(?!\w)",
    re.IGNORECASE,
)
DIARY_NUMBER = re.compile(r"(?:dnr|diarienr|diarienummer)\.?:?\s*\S+\s*$", re.IGNORECASE)
# A header never reaches back past a sentence end or a line break, and is at most a few words long.
CONTEXT_BOUNDARY = re.compile(r"[.!?]\s|\n")
HEADER_WORDS_MAX = 8


def strip_page_headers(text: str) -> str:
    """The text without repeated page headers and footers; text without page markers comes back as it is."""
    markers = list(PAGE_MARKER.finditer(text))
    if not markers:
        return text
    befores = [_words_before(text, m.start()) for m in markers]
    afters = [_words_after(text, m.end()) for m in markers]
    if len(markers) >= 2:
        lead = _common_suffix(befores)
        tail = _common_prefix(afters)
    else:
        diary = DIARY_NUMBER.search(" ".join(befores[0]))
        lead = diary.group(0).split() if diary else []
        tail = []
    spans = []
    for marker in markers:
        start = _start_of_words(text, marker.start(), len(lead))
        end = _end_of_words(text, marker.end(), len(tail))
        spans.append((start, end))
    return _cut(text, spans)


def _words_before(text: str, position: int) -> list[str]:
    window = text[max(0, position - 200) : position]
    boundaries = list(CONTEXT_BOUNDARY.finditer(window))
    if boundaries:
        window = window[boundaries[-1].end() :]
    return window.split()[-HEADER_WORDS_MAX:]


def _words_after(text: str, position: int) -> list[str]:
    window = text[position : position + 200]
    boundary = CONTEXT_BOUNDARY.search(window)
    if boundary:
        window = window[: boundary.start()]
    return window.split()[:HEADER_WORDS_MAX]


def _common_suffix(word_lists: Sequence[list[str]]) -> list[str]:
    reversed_prefix = _common_prefix([list(reversed(words)) for words in word_lists])
    return list(reversed(reversed_prefix))


def _common_prefix(word_lists: Sequence[list[str]]) -> list[str]:
    common: list[str] = []
    for column in zip(*word_lists, strict=False):
        if any(word != column[0] for word in column):
            break
        common.append(column[0])
    return common


def _start_of_words(text: str, position: int, count: int) -> int:
    """Where the `count` words before `position` begin."""
    start = position
    for _ in range(count):
        start = len(text[:start].rstrip())
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    return start


def _end_of_words(text: str, position: int, count: int) -> int:
    """Where the `count` words after `position` end."""
    end = position
    for _ in range(count):
        end += len(text[end:]) - len(text[end:].lstrip())
        while end < len(text) and not text[end].isspace():
            end += 1
    return end


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    pieces = []
    kept_from = 0
    for start, end in spans:
        # Take the header's surrounding spaces with it; a header on a line of its own takes its line break.
        while start > kept_from and text[start - 1] in " \t":
            start -= 1
        while end < len(text) and text[end] in " \t":
            end += 1
        at_line_start = start == 0 or text[start - 1] == "\n"
        at_line_end = end == len(text) or text[end] == "\n"
        pieces.append(text[kept_from:start])
        if at_line_start and at_line_end:
            end = min(end + 1, len(text))
        elif not at_line_start and not at_line_end:
            pieces.append(" ")
        kept_from = end
    pieces.append(text[kept_from:])
    return "".join(pieces)
