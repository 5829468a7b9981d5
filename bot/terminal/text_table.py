"""A plain-text table whose rows wrap within their cells to fit a width, with rows in titled groups.

Columns start at the width of their longest cell; while the table is too wide, the widest column gives up
a character, down to the length of its longest word. When even that is too wide (a narrow terminal), each
row is listed instead, one "header: value" line per cell, so that words are still never split.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

SEPARATOR = " │ "
RULE = "─"


def wrap_words(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """``text`` in lines of at most ``width``, broken between words only; hyphenated words stay whole
    ("EU-policyfrågor"), as the column widths assume."""
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False)


@dataclass(frozen=True)
class RowGroup:
    title: str
    rows: tuple[tuple[str, ...], ...]


def render_table(headers: Sequence[str], groups: Sequence[RowGroup], width: int) -> list[str]:
    """The table as lines no longer than ``width``: the header, then each group's title rule and rows."""
    rows = [row for group in groups for row in group.rows]
    widths = column_widths([tuple(headers), *rows], width - len(SEPARATOR) * (len(headers) - 1))
    if widths is None:
        return _listed(headers, groups, width)
    table_width = sum(widths) + len(SEPARATOR) * (len(widths) - 1)
    lines = _row_lines(headers, widths)
    lines.append(RULE * table_width)
    for group in groups:
        lines.append(_title_rule(group.title, table_width))
        for row in group.rows:
            lines.extend(_row_lines(row, widths))
    return lines


def column_widths(rows: Sequence[Sequence[str]], available: int) -> list[int] | None:
    """Widths that fit ``available`` without splitting a word, or None when there are none."""
    columns = list(zip(*rows, strict=True))
    widths = [max(len(cell) for cell in column) for column in columns]
    floors = [min(w, _longest_word(column)) for w, column in zip(widths, columns, strict=True)]
    if sum(floors) > available:
        return None
    while sum(widths) > available:
        widest = max((i for i, w in enumerate(widths) if w > floors[i]), key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _longest_word(cells: Sequence[str]) -> int:
    return max((len(word) for cell in cells for word in cell.split()), default=1)


def _row_lines(cells: Sequence[str], widths: Sequence[int]) -> list[str]:
    wrapped = [wrap_words(cell, w) or [""] for cell, w in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    return [
        SEPARATOR.join(
            (lines[n] if n < len(lines) else "").ljust(w) for lines, w in zip(wrapped, widths, strict=True)
        ).rstrip()
        for n in range(height)
    ]


def _listed(headers: Sequence[str], groups: Sequence[RowGroup], width: int) -> list[str]:
    lines: list[str] = []
    for group in groups:
        lines.append(_title_rule(group.title, width))
        for first, *rest in group.rows:
            lines.extend(wrap_words(f"• {first}", width, rest="  "))
            labelled = [f"{header}: {cell}" for header, cell in zip(headers[1:], rest, strict=True) if cell]
            for line in labelled:
                lines.extend(wrap_words(line, width, "  ", "    "))
    return lines


def _title_rule(title: str, width: int) -> str:
    head = f"{RULE * 2} {title} "
    if len(head) > width:
        return title[:width]
    return head + RULE * (width - len(head))
