"""The [n] markers a chat model writes, checked against the passages it was given.

A marker for a passage that was not given is removed; the others are renumbered in order of first
appearance, so that the answer's citations read [1], [2], ... Works on text that is still growing (a
streamed answer): a marker cut off at the end is held back until it is complete, and a marker once
numbered keeps its number.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_UNFINISHED_MARKER = re.compile(r"\[[\d,\s]*$")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([.,;:!?])")
_SPACES = re.compile(r"[ \t]{2,}")


class CitationMarkers:
    def __init__(self, passages_given: int) -> None:
        self._given = passages_given
        self._cited: list[int] = []
        """Numbers of the passages given, in the order the text first cites them."""

    @property
    def cited(self) -> tuple[int, ...]:
        """The passages cited (their numbers as given), in the order of the renumbered markers."""
        return tuple(self._cited)

    def checked(self, text: str, *, complete: bool) -> str:
        """`text` with only markers to passages given, renumbered. For text still arriving (`complete`
        false) an unfinished marker at its end is left out."""
        if not complete:
            unfinished = _UNFINISHED_MARKER.search(text)
            if unfinished:
                text = text[: unfinished.start()]
        text = _MARKER.sub(self._renumbered, text)
        if complete:
            text = _SPACES.sub(" ", _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)).strip()
        return text

    def _renumbered(self, marker: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*,\s*", marker.group(1))]
        kept: list[str] = []
        for number in numbers:
            if not 1 <= number <= self._given:
                continue
            if number not in self._cited:
                self._cited.append(number)
            renumbered = f"[{self._cited.index(number) + 1}]"
            if renumbered not in kept:
                kept.append(renumbered)
        return "".join(kept)
