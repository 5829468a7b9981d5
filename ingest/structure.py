"""Blocks from plain text: headings, paragraphs, list items and groups of short lines.

Used for .txt files and for the text of PDFs. Municipal documents saved as text keep their layout
(blank lines, bullets, short heading lines) but lose every style, so a heading is recognised by
its shape and by what follows it, never by markup.

Every block's text is an exact slice of the input (``text[b.start:b.start + len(b.text)]``), so
a citation can always be traced back to the document. A paragraph continued across a page break
therefore keeps the blank line of the break inside its text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ingest.heading_levels import assign_heading_levels
from ingest.line_shapes import (
    ends_sentence_or_colon,
    has_sentence_punctuation,
    is_heading_shaped,
    is_short_line,
    list_marker_length,
    looks_like_short_lines,
)
from knowledge.types import Block

# Hard-wrapped text (e-mail, PDF) never has lines this long, so a run containing one uses a line
# per paragraph and each line is a block of its own.
UNWRAPPED_LINE_CHARS = 120
# A heading line written without a blank line before the body is clearly shorter than the body
# line after it; the first line of a wrapped paragraph is about as long as the next.
HEADING_TO_BODY_LENGTH_RATIO = 0.6
# Text flattened from a printed document can hold a whole document on one line, its numbered headings
# inline: "... för Stockholms stad 1. Bakgrund och syfte I en globaliserad värld ...". Such a heading
# is a number, a capitalised word and lowercase words, followed by the capital that starts its body.
FLATTENED_LINE_CHARS = 400
INLINE_NUMBERED_HEADING = re.compile(
    r"(?<!\S)(?P<number>\d{1,2})\.\s+(?P<words>[A-ZÅÄÖ][a-zåäöé-]+(?:\s+[a-zåäöé0-9-]+){0,9})(?=\s+[A-ZÅÄÖ])"
)

UnitShape = Literal["item", "prose", "short", "lines", "heading"]


@dataclass(frozen=True)
class _Line:
    """A non-blank line, as the span of its text without surrounding whitespace."""

    start: int
    end: int


@dataclass
class _Unit:
    """A candidate block before headings are decided."""

    shape: UnitShape
    start: int
    end: int
    lines: list[_Line] = field(default_factory=list)


def detect_blocks(text: str, page_starts: Sequence[int] = ()) -> tuple[Block, ...]:
    """Split plain text into blocks.

    ``page_starts`` holds the offset where each page begins (PDF); when given, every block gets
    the 1-based page its first character is on.
    """
    units = [unit for chunk in _split_on_blank_lines(text) for unit in _units_of_chunk(text, chunk)]
    units = _merge_page_break_continuations(text, units)
    blocks = _blocks_from_units(text, units, page_starts)
    return assign_heading_levels(blocks)


def _split_on_blank_lines(text: str) -> list[list[_Line]]:
    chunks: list[list[_Line]] = []
    current: list[_Line] = []
    position = 0
    for raw_line in text.split("\n"):
        line_start, position = position, position + len(raw_line) + 1
        stripped = raw_line.strip()
        if not stripped:
            if current:
                chunks.append(current)
                current = []
            continue
        content_start = line_start + (len(raw_line) - len(raw_line.lstrip()))
        current.append(_Line(content_start, content_start + len(stripped)))
    if current:
        chunks.append(current)
    return chunks


def _units_of_chunk(text: str, lines: list[_Line]) -> list[_Unit]:
    """List items become one unit each; the text between them is split into runs of prose."""
    units: list[_Unit] = []
    run: list[_Line] = []
    item: list[_Line] = []
    for line in lines:
        content = text[line.start : line.end]
        if list_marker_length(content):
            units.extend(_units_of_run(text, run))
            run = []
            if item:
                units.append(_item_unit(text, item))
            item = [line]
        elif item and _continues_item(text[item[-1].start : item[-1].end], content):
            item.append(line)
        else:
            if item:
                units.append(_item_unit(text, item))
                item = []
            run.append(line)
    if item:
        units.append(_item_unit(text, item))
    units.extend(_units_of_run(text, run))
    return units


def _continues_item(previous_line: str, line: str) -> bool:
    # A wrapped list item (common in PDF text) goes on in lines without a marker; a line after a
    # finished sentence that starts with a capital is new text after the list.
    return not ends_sentence_or_colon(previous_line) or line[:1].islower()


def _item_unit(text: str, lines: list[_Line]) -> _Unit:
    first = lines[0]
    marker = list_marker_length(text[first.start : first.end])
    return _Unit("item", first.start + marker, lines[-1].end, list(lines))


def _units_of_run(text: str, lines: list[_Line]) -> list[_Unit]:
    if not lines:
        return []
    line_texts = [text[line.start : line.end] for line in lines]
    if len(lines) > 1 and any(len(line) > UNWRAPPED_LINE_CHARS for line in line_texts):
        return [unit for line in lines for unit in _units_of_run(text, [line])]
    if len(lines) == 1 and len(line_texts[0]) > FLATTENED_LINE_CHARS:
        return _units_of_flattened_line(text, lines[0])
    if looks_like_short_lines("\n".join(line_texts)):
        return [_classified_unit(text, lines)]
    units: list[_Unit] = []
    pending: list[_Line] = []
    for index, line in enumerate(lines):
        if _is_embedded_heading(line_texts, index):
            if pending:
                units.append(_classified_unit(text, pending))
            units.append(_classified_unit(text, [line]))
            pending = []
        else:
            pending.append(line)
    if pending:
        units.append(_classified_unit(text, pending))
    return units


def _units_of_flattened_line(text: str, line: _Line) -> list[_Unit]:
    """A long line split at its inline numbered headings, when they count up (1., 2., 3.).

    Numbers that count up in order are what tells a heading from a sentence that ends in a number
    ("... i kapitel 3. Det ...").
    """
    headings = _counting_run(list(INLINE_NUMBERED_HEADING.finditer(text, line.start, line.end)))
    if len(headings) < 2:
        return [_classified_unit(text, [line])]
    units: list[_Unit] = []
    position = line.start
    for heading in headings:
        before = _trimmed_line(text, position, heading.start())
        if before is not None:
            units.append(_classified_unit(text, [before]))
        units.append(_Unit("heading", heading.start(), heading.end(), [_Line(heading.start(), heading.end())]))
        position = heading.end()
    rest = _trimmed_line(text, position, line.end)
    if rest is not None:
        units.append(_classified_unit(text, [rest]))
    return units


def _counting_run(matches: list[re.Match[str]]) -> list[re.Match[str]]:
    """The longest run of matches whose numbers count up by one."""
    best: list[re.Match[str]] = []
    for index, first in enumerate(matches):
        run = [first]
        for match in matches[index + 1 :]:
            if int(match.group("number")) == int(run[-1].group("number")) + 1:
                run.append(match)
        if len(run) > len(best):
            best = run
    return best


def _trimmed_line(text: str, start: int, end: int) -> _Line | None:
    content = text[start:end]
    if not content.strip():
        return None
    start += len(content) - len(content.lstrip())
    end -= len(content) - len(content.rstrip())
    return _Line(start, end)


def _is_embedded_heading(line_texts: list[str], index: int) -> bool:
    """A heading written directly above its body, without a blank line between them."""
    if index + 1 >= len(line_texts):
        return False
    line, next_line = line_texts[index], line_texts[index + 1]
    if index > 0 and not ends_sentence_or_colon(line_texts[index - 1]):
        return False
    return (
        is_heading_shaped(line)
        and (next_line[:1].isupper() or next_line[:1].isdigit())
        and len(line) <= HEADING_TO_BODY_LENGTH_RATIO * len(next_line)
    )


def _classified_unit(text: str, lines: list[_Line]) -> _Unit:
    content = text[lines[0].start : lines[-1].end]
    if len(lines) == 1:
        shape: UnitShape = "short" if is_short_line(content) and not has_sentence_punctuation(content) else "prose"
    else:
        shape = "lines" if looks_like_short_lines(content) else "prose"
    return _Unit(shape, lines[0].start, lines[-1].end, list(lines))


def _merge_page_break_continuations(text: str, units: list[_Unit]) -> list[_Unit]:
    """Join text that a page break split in two.

    Running text that stops without closing punctuation and resumes in lowercase after a blank
    line is one paragraph broken by the page (the .txt exports keep the break as a blank line).
    """
    merged: list[_Unit] = []
    for unit in units:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.shape in ("prose", "item", "short")
            and unit.shape != "item"
            and text[unit.start].islower()
            and not ends_sentence_or_colon(text[previous.start : previous.end])
        ):
            previous.end = unit.end
            previous.lines.extend(unit.lines)
            if previous.shape == "short":
                previous.shape = "prose"
        else:
            merged.append(unit)
    return merged


def _blocks_from_units(text: str, units: list[_Unit], page_starts: Sequence[int]) -> list[Block]:
    def page_of(offset: int) -> int | None:
        if not page_starts:
            return None
        return max(1, bisect_right(page_starts, offset))

    blocks: list[Block] = []
    short_group: list[_Unit] = []

    def close_short_group() -> None:
        # Consecutive short lines that are not headings belong together: a name and its title
        # in a signature, or the parts of an address split by blank lines.
        if short_group:
            start, end = short_group[0].start, short_group[-1].end
            blocks.append(Block("lines", text[start:end], start, page=page_of(start)))
            short_group.clear()

    for index, unit in enumerate(units):
        next_unit = units[index + 1] if index + 1 < len(units) else None
        content = text[unit.start : unit.end]
        if unit.shape == "heading" or (unit.shape == "short" and _is_heading(content, next_unit)):
            close_short_group()
            blocks.append(Block("heading", content, unit.start, level=1, page=page_of(unit.start)))
        elif unit.shape in ("short", "lines"):
            short_group.append(unit)
        else:
            close_short_group()
            kind = "list_item" if unit.shape == "item" else "paragraph"
            blocks.append(Block(kind, content, unit.start, page=page_of(unit.start)))
    close_short_group()
    return blocks


def _is_heading(line: str, next_unit: _Unit | None) -> bool:
    # A heading introduces body text. A short line followed by another short line is part of a
    # signature, an address or a list of names, and the last line of a document heads nothing.
    return is_heading_shaped(line) and next_unit is not None and next_unit.shape in ("prose", "item")
