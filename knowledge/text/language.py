"""Which language a question is in: the answer's framing follows it (quotes stay Swedish)."""

from __future__ import annotations

from knowledge.text.text_analysis import words
from knowledge.types import Language

_SWEDISH = frozenset(
    [
        "och",
        "att",
        "det",
        "som",
        "en",
        "ett",
        "är",
        "på",
        "för",
        "med",
        "vem",
        "vad",
        "hur",
        "vilka",
        "vilken",
        "varför",
        "när",
        "får",
        "kan",
        "ska",
        "om",
        "av",
        "till",
        "inte",
        "jag",
        "vi",
        "vår",
        "våra",
        "de",
        "den",
        "har",
        "finns",
        "gäller",
        "mig",
        "oss",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "who",
        "what",
        "which",
        "how",
        "why",
        "when",
        "may",
        "can",
        "should",
        "does",
        "do",
        "of",
        "to",
        "for",
        "with",
        "in",
        "on",
        "a",
        "an",
        "we",
        "our",
        "us",
        "it",
        "they",
        "their",
        "has",
        "have",
        "about",
    ]
)


def detect_language(text: str) -> Language:
    tokens = words(text)
    swedish = sum(t in _SWEDISH for t in tokens) + 2 * sum(ch in "åäöÅÄÖ" for ch in text)
    english = sum(t in _ENGLISH for t in tokens)
    return "en" if english > swedish else "sv"
