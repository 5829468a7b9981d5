"""The values that flow between ingest, the index, the answering engine and the surfaces.

All are frozen: a passage or an answer, once made, is passed around and cached, never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "lines"]
Language = Literal["sv", "en"]


@dataclass(frozen=True)
class Block:
    """One structural unit of an extracted document: a heading, a paragraph, a list item or a
    group of short lines (a signature or an address)."""

    kind: BlockKind
    text: str
    start: int
    """Character offset of the block in the document's extracted text."""
    level: int = 0
    """Heading level, 1 for top-level headings; 0 for non-headings."""
    page: int | None = None
    """1-based page number, for paginated formats (PDF)."""


@dataclass(frozen=True)
class ExtractedDocument:
    """A document's text and its blocks, as a loader read them."""

    text: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class DocumentMeta:
    """What a document is: read from its sidecar file, or derived from the file when it has none."""

    title: str
    kind: str = "dokument"
    """strategi, EU-policy, remissvar, tjänsteutlåtande, ... (free text, shown to users)."""
    issuer: str = ""
    date: str = ""
    """ISO date (YYYY-MM-DD) or empty when unknown."""
    diary_number: str | None = None
    language: Language = "sv"
    url: str = ""
    """Where the document was published; citations carry it so that a client can open the source."""
    complete: bool = True
    """False for an excerpt: the published text that could be kept ends mid-way."""
    status: str = ""
    """"ersatt" (superseded) when a later document replaces it; answers from it say so."""
    superseded_by: str = ""
    note: str = ""

    @property
    def superseded(self) -> bool:
        return self.status.strip().lower() in {"ersatt", "superseded", "upphävd", "replaced"}


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of a document: sized for the embedder, inside one section."""

    passage_id: str
    doc_id: str
    text: str
    section: tuple[str, ...]
    """Heading path, outermost first; empty before the first heading."""
    start: int
    end: int
    page: int | None = None
    sentences: tuple[tuple[int, int], ...] = ()
    """Sentence spans relative to ``text``: the units an extractive answer quotes."""

    @property
    def section_label(self) -> str:
        return " › ".join(self.section)


@dataclass(frozen=True)
class IndexedDocument:
    """A document as the index knows it."""

    doc_id: str
    source: str
    """File name as the user gave it (relative to the ingested folder)."""
    content_hash: str
    meta: DocumentMeta
    passage_count: int
    indexed_at: str = ""
    """When this version of the file was read (UTC, ISO 8601); empty in an index built before it was kept."""


@dataclass(frozen=True)
class Citation:
    """Where a statement in an answer comes from."""

    number: int
    document: str
    """Document title."""
    section: str
    date: str
    quote: str
    """The exact sentence(s) quoted from the document, in its own language."""
    source: str
    """File name, with the page where there is one."""
    score: float
    doc_id: str = ""
    passage_id: str = ""
    kind: str = ""
    url: str = ""
    language: Language = "sv"
    """The quoted document's language."""
    excerpt: bool = False
    """The document is an excerpt of the published text."""
    superseded: bool = False


@dataclass(frozen=True)
class Answer:
    """What every surface shows: text with [n] markers and the citations they point to."""

    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    language: Language = "sv"
    suggestions: tuple[str, ...] = ()
    """Questions the documents answer, close to this one: what to ask instead after an abstention, what to
    ask next after an answer."""
    question: str = ""
    sure: bool = True
    """False when the documents may answer but the evidence is weak: the text then offers the closest
    passages, none presented as the answer. An abstention is never sure."""


@dataclass(frozen=True)
class SearchHit:
    """One result of a quick knowledge-base search (for the compose box)."""

    passage_id: str
    document: str
    section: str
    date: str
    snippet: str
    source: str
    score: float


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    """(file, reason) for each file that could not be read."""
    passages: int = 0
    embedded: int = 0
    """Texts embedded in this run (0 when everything came from the cache)."""
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{len(self.removed)} removed",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return (
            f"Indexed {self.passages} passages: "
            + ", ".join(parts)
            + f"; {self.embedded} texts embedded in {self.seconds:.1f} s."
        )


@dataclass(frozen=True)
class Responsibility:
    """A statement of who decides, is responsible for, coordinates, leads, appoints or supports what."""

    actor: str
    """Normalised body name, lower case: "kommunstyrelsen", "nämnder och bolagsstyrelser"."""
    action: str
    """beslutar, ansvarar, samordnar, leder, utser or stöder."""
    object: str
    """What the actor decides on, is responsible for ...: the document's own words."""
    scope: str
    """stadsövergripande, verksamhetsspecifik, or empty when the text does not say."""
    document: str
    doc_id: str
    section: str
    quote: str
    """The exact source sentence."""
    date: str = ""
    passage_id: str = ""
