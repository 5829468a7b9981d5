"""Heading levels for plain text, where every heading looks the same.

Without styles, the only signals of nesting are the text itself: a multi-level section number
("2.3 Mål"), or a section intro that announces a counted list of sub-sections ("Följande fyra
inriktningar föreslås." followed by four short headings). Everything else is level 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ingest.line_shapes import section_number_depth
from knowledge.text.text_analysis import NUMBER_WORDS
from knowledge.types import Block

# "följande fyra inriktningar", "nedanstående tre områden", "the following three priorities".
# The announcing word is required: a bare number ("de tre senaste åren") announces nothing.
ENUMERATION_ANNOUNCEMENT = re.compile(
    r"\b(?:följande|nedanstående|the\s+following|these|following)\s+"
    rf"(?P<count>{'|'.join(NUMBER_WORDS)}|\d{{1,2}})\b",
    re.IGNORECASE,
)


def announced_count(paragraph: str) -> int:
    """How many items a paragraph announces ("Följande fyra ..." gives 4); 0 if none."""
    match = ENUMERATION_ANNOUNCEMENT.search(paragraph)
    if not match:
        return 0
    count = match.group("count").lower()
    return int(count) if count.isdigit() else NUMBER_WORDS[count]


@dataclass
class _Enumeration:
    parent_level: int
    remaining: int


def assign_heading_levels(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """Return the blocks with a level on every heading.

    An announcement counts only when the heading directly follows it: then the announced items
    are the sub-sections. If a list or more text follows instead, the count described that.
    Announcements nest, so a sub-section can announce its own sub-sections.
    """
    result: list[Block] = []
    open_enumerations: list[_Enumeration] = []
    current_level = 0
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            while open_enumerations and open_enumerations[-1].remaining == 0:
                open_enumerations.pop()
            numbered_level = section_number_depth(block.text)
            if numbered_level:
                current_level = numbered_level
            elif open_enumerations:
                enumeration = open_enumerations[-1]
                enumeration.remaining -= 1
                current_level = enumeration.parent_level + 1
            else:
                current_level = 1
            result.append(replace(block, level=current_level))
            continue
        next_block = blocks[index + 1] if index + 1 < len(blocks) else None
        count = announced_count(block.text) if block.kind == "paragraph" else 0
        if count and current_level and next_block is not None and next_block.kind == "heading":
            open_enumerations.append(_Enumeration(parent_level=current_level, remaining=count))
        result.append(block)
    return tuple(result)
