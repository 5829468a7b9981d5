"""The exact texts that are embedded for a passage and for each of its sentences.

Ingest embeds them and retrieval compares queries with them, so both must build them here, the same way.
A heading in front of a sentence carries the topic the sentence leaves implicit ("De beslutar vidare ...").
"""

from __future__ import annotations

from knowledge.types import Passage


def passage_embedding_text(passage: Passage, title: str) -> str:
    heading = f"{title} — {passage.section_label}" if passage.section else title
    return f"{heading}\n{passage.text}"


def sentence_id_of(passage: Passage, number: int) -> str:
    """The id of the ``number``-th sentence of ``passage`` (from 0)."""
    return f"{passage.passage_id}#{number}"


def sentence_texts(passage: Passage) -> list[tuple[str, str]]:
    """(sentence id, sentence text) for each quotable sentence of ``passage``."""
    return [(sentence_id_of(passage, i), passage.text[a:b]) for i, (a, b) in enumerate(passage.sentences)]


def sentence_embedding_text(passage: Passage, sentence: str) -> str:
    return f"{passage.section_label}: {sentence}" if passage.section else sentence


def sentence_window_texts(passage: Passage) -> list[tuple[str, str]]:
    """(sentence id, the sentence with its neighbours in the passage, under its heading) for each sentence.

    A sentence is often answered by what surrounds it: a question about a decision meets the sentence
    naming the body, while the one before it names the matter."""
    sentences = sentence_texts(passage)
    windows = []
    for i, (sentence_id, _) in enumerate(sentences):
        text = " ".join(" ".join(t.split()) for _, t in sentences[max(0, i - 1) : i + 2])
        windows.append((sentence_id, sentence_embedding_text(passage, text)))
    return windows
