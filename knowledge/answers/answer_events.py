"""What a streamed answer yields: pieces of text as the model writes them, then the answer itself.

The pieces are only a preview: the final `Answer` is what was checked (citations that point to passages
given, a fallback when none do), and it may differ from the text streamed before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.types import Answer


@dataclass(frozen=True)
class TextDelta:
    """Text to add to what was streamed so far."""

    text: str


@dataclass(frozen=True)
class FinalAnswer:
    answer: Answer


AnswerEvent = TextDelta | FinalAnswer
