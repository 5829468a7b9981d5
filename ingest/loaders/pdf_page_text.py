"""Plain text of PDF pages, with the blank lines between paragraphs that PDF text lacks.

pypdf returns one line per printed line and no sign of where a paragraph ends. The plain-text
structure detection needs those boundaries, so they are restored from the layout: a paragraph or a
heading starts where the space above a line is clearly larger than the page's usual line spacing,
or where the font size changes. Page numbers and running headers are removed so that a paragraph
broken by a page break can be joined again.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pypdf import PageObject

from ingest.line_shapes import is_page_number, is_short_line

# Line spacing inside a paragraph varies a little (superscripts, mixed fonts); space between
# paragraphs, or around a heading, is normally at least a third of a line more.
PARAGRAPH_GAP_FACTOR = 1.3
FONT_SIZE_CHANGE = 0.15
SAME_BASELINE = 1.0
# A line repeated at the top or bottom of most pages is a running header or footer.
RUNNING_LINE_MIN_PAGES = 3
RUNNING_LINE_SHARE = 0.6


@dataclass(frozen=True)
class _Fragment:
    text: str
    baseline: float
    font_size: float


@dataclass(frozen=True)
class _PrintedLine:
    text: str
    baseline: float | None
    font_size: float | None


def extract_page_text(page: PageObject) -> str:
    """The page's text, with a blank line before each paragraph and heading."""
    fragments: list[_Fragment] = []

    def collect(
        text: str, user_matrix: Sequence[float], text_matrix: Sequence[float], font_dictionary: object, font_size: float
    ) -> None:
        fragments.append(_fragment(text, user_matrix, text_matrix, font_size))

    text = page.extract_text(visitor_text=collect)
    if "".join(fragment.text for fragment in fragments) != text:
        # The pieces do not add up to the text, so their positions cannot be trusted:
        # keep pypdf's text as it is, without paragraph breaks.
        return text
    return _with_paragraph_breaks(_printed_lines(fragments))


def remove_page_furniture(pages: list[str]) -> list[str]:
    """Drop page numbers and running headers and footers from the pages' first and last lines."""
    pages = [_without_edge_page_numbers(page) for page in pages]
    if len(pages) < RUNNING_LINE_MIN_PAGES:
        return pages
    for edge in (0, -1):
        edge_lines = [_edge_line_key(page, edge) for page in pages]
        counts = Counter(key for key in edge_lines if key)
        running = {
            key
            for key, count in counts.items()
            if count >= RUNNING_LINE_MIN_PAGES and count >= RUNNING_LINE_SHARE * len(pages)
        }
        pages = [
            _drop_edge_line(page, edge) if key in running else page for page, key in zip(pages, edge_lines, strict=True)
        ]
    return pages


def _fragment(text: str, user_matrix: Sequence[float], text_matrix: Sequence[float], font_size: float) -> _Fragment:
    # Combine the text matrix with the current transformation: Word and many other producers set
    # the font size to 1 and scale it with the matrix, so only the combination gives the real size.
    c = text_matrix[2] * user_matrix[0] + text_matrix[3] * user_matrix[2]
    d = text_matrix[2] * user_matrix[1] + text_matrix[3] * user_matrix[3]
    baseline = text_matrix[4] * user_matrix[1] + text_matrix[5] * user_matrix[3] + user_matrix[5]
    return _Fragment(text, baseline, abs(font_size) * math.hypot(c, d))


def _printed_lines(fragments: list[_Fragment]) -> list[_PrintedLine]:
    lines: list[_PrintedLine] = []
    text = ""
    baseline: float | None = None
    font_size: float | None = None
    for fragment in fragments:
        for index, piece in enumerate(fragment.text.split("\n")):
            if index > 0:
                lines.append(_PrintedLine(text, baseline, font_size))
                text, baseline, font_size = "", None, None
            # A fragment's position is where it starts; text after a line break inside the same
            # fragment has no known position.
            if index == 0 and piece.strip() and baseline is None and not text.strip():
                baseline, font_size = fragment.baseline, fragment.font_size
            text += piece
    if text:
        lines.append(_PrintedLine(text, baseline, font_size))
    return lines


def _with_paragraph_breaks(lines: list[_PrintedLine]) -> str:
    gaps = [
        above.baseline - below.baseline
        for above, below in itertools.pairwise(lines)
        if above.baseline is not None and below.baseline is not None and above.baseline - below.baseline > SAME_BASELINE
    ]
    # The lower quartile rather than the median: on a short page, or one of one-line paragraphs,
    # paragraph gaps can be half of all gaps, and the usual gap must still be the line spacing.
    usual_gap = sorted(gaps)[len(gaps) // 4] if gaps else None
    output: list[str] = []
    previous: _PrintedLine | None = None
    for line in lines:
        if not line.text.strip():
            output.append("")
            previous = None
            continue
        if previous is not None and _starts_block(previous, line, usual_gap):
            output.append("")
        output.append(line.text.rstrip())
        previous = line
    return "\n".join(output)


def _starts_block(above: _PrintedLine, below: _PrintedLine, usual_gap: float | None) -> bool:
    if above.baseline is None or below.baseline is None:
        return False
    gap = above.baseline - below.baseline
    if gap < -SAME_BASELINE:
        return True  # the text moved up the page: a new column or a separate text box
    if usual_gap is not None and gap > PARAGRAPH_GAP_FACTOR * usual_gap:
        return True
    if above.font_size and below.font_size:
        larger = max(above.font_size, below.font_size)
        return abs(above.font_size - below.font_size) > FONT_SIZE_CHANGE * larger
    return False


def _without_edge_page_numbers(page: str) -> str:
    lines = page.strip().split("\n")
    while lines and is_page_number(lines[0]):
        lines = lines[1:]
    while lines and is_page_number(lines[-1]):
        lines = lines[:-1]
    return "\n".join(lines).strip()


def _edge_line_key(page: str, edge: int) -> str:
    lines = page.split("\n")
    if not page.strip() or not is_short_line(lines[edge]):
        return ""  # running headers and footers are short; a long line is the page's own text
    # Digits vary from page to page in running lines ("Sida 3 av 8", a date): ignore them.
    return re.sub(r"\d+", "#", " ".join(lines[edge].split()))


def _drop_edge_line(page: str, edge: int) -> str:
    lines = page.split("\n")
    del lines[edge]
    return "\n".join(lines).strip()
