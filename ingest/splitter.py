"""From an extracted document to passages: one section at a time, sentences and list items kept whole.

Passages never cross a heading, so each keeps an exact heading path, and they are sized in the embedder's
own tokens so none is cut off by the model's 512-token window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.sentences import sentence_spans
from knowledge.types import Block, ExtractedDocument, Passage

# Small enough that a passage is about one point (a retrieval hit quotes what matters), large enough to
# carry context (a "De" at the start of a sentence still has its subject nearby).
PASSAGE_TOKENS = 200
OVERLAP_TOKENS = 40

# Paragraphs first, then lines (list items), then sentences, then words: the splitter cuts at the
# largest unit that makes a passage fit. A break followed by a lower-case word is a page break inside a
# sentence, not a boundary.
_SEPARATORS = [r"\n\s*\n(?=\s*[^a-zåäöé\s])", r"\n(?=\s*[^a-zåäöé\s])", r"(?<=[.!?])\s+", r";\s+", r",\s+", r"\s+"]


@dataclass(frozen=True)
class Section:
    path: tuple[str, ...]
    blocks: tuple[Block, ...]

    @property
    def start(self) -> int:
        return self.blocks[0].start

    @property
    def end(self) -> int:
        last = self.blocks[-1]
        return last.start + len(last.text)


def sections(document: ExtractedDocument) -> list[Section]:
    """Body blocks grouped under their heading path."""
    found: list[Section] = []
    stack: list[tuple[int, str]] = []
    body: list[Block] = []

    def close() -> None:
        if body:
            found.append(Section(tuple(title for _, title in stack), tuple(body)))
            body.clear()

    for block in document.blocks:
        if block.kind == "heading":
            close()
            level = max(block.level, 1)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, block.text.strip()))
        else:
            body.append(block)
    close()
    return found


def sentence_units(section: Section) -> list[tuple[int, int]]:
    """Quotable units in document coordinates: sentences, list items, and groups of short lines whole."""
    units: list[tuple[int, int]] = []
    for block in section.blocks:
        if block.kind == "lines":
            units.append((block.start, block.start + len(block.text.rstrip())))
        else:
            units.extend(sentence_spans(block.text, offset=block.start))
    return units


class PassageSplitter:
    def __init__(
        self,
        token_count: Callable[[str], int],
        passage_tokens: int = PASSAGE_TOKENS,
        overlap_tokens: int = OVERLAP_TOKENS,
    ) -> None:
        self._splitter = RecursiveCharacterTextSplitter(
            separators=_SEPARATORS,
            is_separator_regex=True,
            keep_separator="end",
            chunk_size=passage_tokens,
            chunk_overlap=overlap_tokens,
            length_function=token_count,
            strip_whitespace=True,
        )

    def split(self, doc_id: str, document: ExtractedDocument) -> list[Passage]:
        passages: list[Passage] = []
        for section in sections(document):
            units = sentence_units(section)
            section_text = document.text[section.start : section.end]
            cursor = 0
            for chunk in self._splitter.split_text(section_text):
                # The splitter's own start_index guesses where to search from in characters, which a
                # token length function breaks; chunks come in order, so search from the previous one.
                found = section_text.find(chunk, cursor)
                if found < 0:
                    found = section_text.find(chunk)
                cursor = found + 1
                start = section.start + found
                end = start + len(chunk)
                spans = tuple((max(a, start) - start, min(b, end) - start) for a, b in units if a < end and b > start)
                passages.append(
                    Passage(
                        passage_id=_passage_id(doc_id, start, end),
                        doc_id=doc_id,
                        text=chunk,
                        section=section.path,
                        start=start,
                        end=end,
                        page=_page_at(section.blocks, start),
                        sentences=tuple((a, b) for a, b in spans if b - a > 1),
                    )
                )
        return passages


def _page_at(blocks: tuple[Block, ...], offset: int) -> int | None:
    page = blocks[0].page
    for block in blocks:
        if block.start > offset:
            break
        page = block.page
    return page


def _passage_id(doc_id: str, start: int, end: int) -> str:
    return f"{doc_id}:{start}-{end}"
