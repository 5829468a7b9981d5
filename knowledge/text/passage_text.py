"""The exact texts that are embedded for a passage and for each of its sentences.

Ingest embeds them and retrieval compares queries with them, so both must build them here, the same way.
A heading in front of a sentence carries the topic the sentence leaves implicit ("De beslutar vidare ...").
"""

from __future__ import annotations

from knowledge.types import Passage


def passage_embedding_text(passage: Passage, title: str) -> str:
    heading = f"{title} — {passage.section_label}" if passage.section else title
    return f"{heading}\n{passage.text}"


def sentence_texts(passage: Passage) -> list[tuple[str, str]]:
    """(sentence id, sentence text) for each quotable sentence of ``passage``."""
    return [(f"{passage.passage_id}#{i}", passage.text[a:b]) for i, (a, b) in enumerate(passage.sentences)]


def sentence_embedding_text(passage: Passage, sentence: str) -> str:
    return f"{passage.section_label}: {sentence}" if passage.section else sentence
