"""Helpers for tests/bench.py: statistics, memory, per-stage timing, the synthetic 10k-passage corpus and
the dense baseline retriever. Nothing here is a test; nothing here writes outside the folders it is given.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from ingest.loaders import load_document
from ingest.metadata import sidecar_of
from ingest.splitter import PassageSplitter
from knowledge.index.embedders import Embedder
from knowledge.index.embedding_cache import EmbeddingCache, content_key
from knowledge.index.index_store import IndexStore
from knowledge.settings import Settings
from knowledge.text.passage_text import passage_embedding_text, sentence_embedding_text, sentence_texts

# --- statistics and memory ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    """Latencies of one series of calls, in milliseconds."""

    samples: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = sorted(s * 1000 for s in seconds)
        return cls(len(ms), statistics.median(ms), percentile(ms, 95), statistics.fmean(ms), ms[-1])


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(math.ceil(p / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def own_peak_rss_mb() -> float:
    """Peak resident set size of this program alone: VmHWM, which starts again at exec. ru_maxrss carries
    the peak of the process that started this one across exec, so a child would report its parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * resource.getpagesize() / 2**20


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds used by the whole machine and by this process (all its threads) up to a moment."""

    wall: float
    machine_busy: float
    own: float

    @classmethod
    def now(cls) -> CpuSample:
        try:
            fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
            idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
            busy = (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            busy = float("nan")
        times = os.times()
        return cls(time.perf_counter(), busy, times.user + times.system)

    def others_share_since(self, earlier: CpuSample) -> float:
        """Share of the machine's CPU capacity that other processes used since ``earlier``: what they
        took from this benchmark (0 on a quiet machine, 0.5 when they kept one of two cores busy)."""
        capacity = (self.wall - earlier.wall) * (os.cpu_count() or 1)
        others = (self.machine_busy - earlier.machine_busy) - (self.own - earlier.own)
        return min(max(others / capacity, 0.0), 1.0) if capacity > 0 else float("nan")


# --- where the time of one ask goes ------------------------------------------------------------------


class StageClock:
    """Times chosen methods of live objects by shadowing them with timed wrappers on the instance.

    Methods that do not exist (the code moved on) are skipped; ``restore`` removes every wrapper.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._patched: list[tuple[object, str]] = []

    def wrap(self, owner: object, method: str, stage: str) -> bool:
        original = getattr(owner, method, None)
        if original is None or not callable(original):
            return False

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - began

        setattr(owner, method, timed)
        self._patched.append((owner, method))
        return True

    def restore(self) -> None:
        for owner, method in reversed(self._patched):
            if method in vars(owner):
                delattr(owner, method)
        self._patched.clear()


# --- the synthetic scale-up --------------------------------------------------------------------------

COPY_MARKER = re.compile(r" \(kopia \d+\)")


@dataclass(frozen=True)
class RealVectors:
    """The real e5 vectors of the shipped index, by the exact text that was embedded."""

    by_text: dict[str, np.ndarray]
    by_sentence: dict[str, np.ndarray]
    """Bare sentence text → the vector of its embedding text (heading + sentence)."""

    @classmethod
    def from_index(cls, settings: Settings, model: str) -> RealVectors:
        generation = IndexStore(settings).current()
        if generation is None:
            raise RuntimeError(f"no index in {settings.index_dir}")
        titles = {d.doc_id: d.meta.title for d in generation.documents}
        texts: list[tuple[str, str | None]] = []
        for passage in generation.load_passages():
            texts.append((passage_embedding_text(passage, titles[passage.doc_id]), None))
            texts.extend((sentence_embedding_text(passage, s), s) for _, s in sentence_texts(passage))
        cache = EmbeddingCache(settings.data_dir / "embeddings.sqlite")
        try:
            found = cache.get_many(model, sorted({content_key(t) for t, _ in texts}))
        finally:
            cache.close()
        by_text = {t: found[content_key(t)] for t, _ in texts if content_key(t) in found}
        by_sentence = {s: by_text[t] for t, s in texts if s is not None and t in by_text}
        if not by_text:
            raise RuntimeError("the embedding cache holds no vectors of the shipped index")
        return cls(by_text, by_sentence)


class ScaledEmbedder:
    """An Embedder for the synthetic scale-up: cheap, deterministic passage vectors, real query vectors.

    A passage text's vector is the real e5 vector of the same text in the shipped corpus (copy marker
    removed), or else the mean of the real vectors of the shipped sentences it contains, or else that of
    the shipped text sharing most words with it; plus small noise seeded by the text, renormalised.
    Queries go to the real model, so query-time work is what users would see.
    """

    NAME = "bench-scaled-e5"

    def __init__(self, real: Embedder, known: RealVectors, noise: float = 0.2) -> None:
        self._real = real
        self._known = known
        self._noise = noise
        self._sentences = [(s, v) for s, v in known.by_sentence.items() if len(s) >= 20]
        self._words = [(set(t.lower().split()), v) for t, v in known.by_text.items()]
        self._tokens: dict[str, int] = {}

    @property
    def name(self) -> str:
        return self.NAME

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._vector(text) for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._real.embed_query(text)

    def token_count(self, text: str) -> int:
        # The splitter asks for the same strings again and again across copies; the answer never changes.
        count = self._tokens.get(text)
        if count is None:
            count = self._tokens[text] = self._real.token_count(text)
        return count

    def _vector(self, text: str) -> np.ndarray:
        original = COPY_MARKER.sub("", text)
        base = self._known.by_text.get(original)
        if base is None:
            base = self._composed(original)
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        noise = np.random.default_rng(seed).standard_normal(base.shape[0]).astype(np.float32)
        vector = base + self._noise * noise / np.sqrt(base.shape[0])
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def _composed(self, text: str) -> np.ndarray:
        contained = [v for s, v in self._sentences if s in text]
        if contained:
            return np.mean(contained, axis=0)
        words = set(text.lower().split())
        _, nearest = max(self._words, key=lambda item: len(item[0] & words) / (len(item[0] | words) or 1))
        return nearest


class ScaledQueryEmbedder:
    """The query side of ScaledEmbedder, for a serving process that only asks: the index's vectors are
    stored, so a serving process embeds questions and nothing else, under the scaled index's name."""

    def __init__(self, real: Embedder) -> None:
        self._real = real

    @property
    def name(self) -> str:
        return ScaledEmbedder.NAME

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("a serving process does not embed passages")

    def embed_query(self, text: str) -> np.ndarray:
        return self._real.embed_query(text)

    def token_count(self, text: str) -> int:
        return self._real.token_count(text)


def shuffled_paragraphs(text: str, seed: int) -> str:
    """``text`` with the order of consecutive prose paragraphs shuffled; headings, lists, address
    blocks and paragraphs continued across a page break stay where they are."""
    blocks = text.split("\n\n")
    followers = [*blocks[1:], ""]
    movable = [_is_prose(block, following) for block, following in zip(blocks, followers, strict=True)]
    rng = random.Random(seed)
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and movable[j]:
            j += 1
        if j - i > 1:
            run = blocks[i:j]
            rng.shuffle(run)
            blocks[i:j] = run
        i = max(j, i + 1)
    return "\n\n".join(blocks)


def _is_prose(block: str, following: str) -> bool:
    body = block.strip()
    continued = following.strip()[:1].islower()
    return len(body) >= 120 and "\n" not in body and body[:1].isupper() and body.endswith(".") and not continued


@dataclass(frozen=True)
class ScaledCorpus:
    folder: Path
    documents: int
    passages: int
    seconds: float


def write_scaled_corpus(
    sources: Sequence[Path],
    folder: Path,
    token_count: Callable[[str], int],
    target_passages: int,
    progress: Callable[[str], None],
) -> ScaledCorpus:
    """Copies of the text documents in ``sources`` (paragraphs shuffled, titles numbered), added until they
    split into at least ``target_passages`` passages with the project's own splitter."""
    began = time.perf_counter()
    originals = [p for p in sources if p.suffix.lower() in (".txt", ".md")]
    if not originals:
        raise RuntimeError("the corpus has no .txt or .md document to copy")
    folder.mkdir(parents=True, exist_ok=True)
    splitter = PassageSplitter(token_count)
    passages = copies = 0
    while passages < target_passages:
        original = originals[copies % len(originals)]
        copies += 1
        path = _write_copy(original, folder, copies)
        passages += len(splitter.split(f"copy{copies}", load_document(path)))
        if copies % 50 == 0:
            progress(f"scale-up: {copies} copies, {passages:,} passages")
    return ScaledCorpus(folder, copies, passages, time.perf_counter() - began)


def _write_copy(original: Path, folder: Path, number: int) -> Path:
    target = folder / f"{number:05d}-{original.name}"
    text = shuffled_paragraphs(original.read_text(encoding="utf-8"), seed=number)
    target.write_text(text, encoding="utf-8")
    sidecar = sidecar_of(original)
    meta: dict[str, Any] = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
    meta["title"] = f"{meta.get('title') or original.stem} (kopia {number})"
    sidecar_of(target).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return target


# --- the baseline: plain dense top-k over fixed chunks -----------------------------------------------


class _ExplicitVectorsOnly(EmbeddingFunction[Documents]):
    """Given to the baseline's collection so Chroma never loads its default model (which downloads)."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        raise RuntimeError("the baseline passes its vectors explicitly")

    @staticmethod
    def name() -> str:
        return "bench-explicit-vectors"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _ExplicitVectorsOnly:
        return _ExplicitVectorsOnly()

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


@dataclass(frozen=True)
class BaselineAnswer:
    text: str
    quotes: tuple[str, ...]


class DenseBaseline:
    """Fixed 500-character chunks (no overlap, no sentence awareness), e5 vectors, top-k from Chroma.

    Its answer is the best chunk; its citations are the best three. It never abstains.
    """

    CHUNK_CHARS = 500
    TOP_K = 3

    def __init__(self, embedder: Embedder, folder: Path) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self._embedder = embedder
        settings = ChromaSettings(anonymized_telemetry=False)
        client = chromadb.PersistentClient(path=str(folder), settings=settings)
        self._collection = client.create_collection(
            "baseline-chunks",
            embedding_function=_ExplicitVectorsOnly(),
            configuration={"hnsw": {"space": "cosine"}},
        )
        self.chunks = 0
        self.stage_seconds: dict[str, float] = defaultdict(float)
        """Seconds spent embedding questions ("embed") and searching Chroma ("chroma_ann")."""

    def index(self, documents: Sequence[Path], batch: int = 16) -> float:
        """Chunks and embeds ``documents``; returns the seconds it took."""
        began = time.perf_counter()
        chunks = [
            text[i : i + self.CHUNK_CHARS]
            for path in documents
            for text in [load_document(path).text]
            for i in range(0, len(text), self.CHUNK_CHARS)
        ]
        chunks = [c for c in chunks if c.strip()]
        vectors = np.concatenate(
            [self._embedder.embed_passages(chunks[i : i + batch]) for i in range(0, len(chunks), batch)]
        )
        self._collection.add(ids=[f"chunk-{i}" for i in range(len(chunks))], embeddings=list(vectors), documents=chunks)
        self.chunks = len(chunks)
        return time.perf_counter() - began

    def ask(self, question: str) -> BaselineAnswer:
        began = time.perf_counter()
        vector = self._embedder.embed_query(question)
        embedded = time.perf_counter()
        found = self._collection.query(
            query_embeddings=[vector], n_results=min(self.TOP_K, self.chunks), include=["documents"]
        )
        self.stage_seconds["embed"] += embedded - began
        self.stage_seconds["chroma_ann"] += time.perf_counter() - embedded
        quotes = tuple(found["documents"][0])
        return BaselineAnswer(quotes[0] if quotes else "", quotes)
