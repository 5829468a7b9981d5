"""BM25 over passages, in Swedish: Snowball stems, Swedish stop words, compound parts.

Dense vectors find paraphrases; this finds the exact body names, terms and numbers that dense vectors
blur ("kommunfullmäktige" versus "kommunstyrelsen").
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from knowledge.text.text_analysis import SwedishAnalyzer, vocabulary_of


class LexicalIndex:
    def __init__(
        self, retriever: bm25s.BM25, analyzer: SwedishAnalyzer, document_frequency: dict[str, int], size: int
    ) -> None:
        self._retriever = retriever
        self.analyzer = analyzer
        self._df = document_frequency
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        analyzer = SwedishAnalyzer(vocabulary_of(texts))
        tokens = [analyzer.terms(text) or [""] for text in texts]
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        df = Counter(term for doc in tokens for term in set(doc) if term)
        return cls(retriever, analyzer, dict(df), len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        (folder / "analysis.json").write_text(
            json.dumps(
                {"vocabulary": sorted(self.analyzer.vocabulary), "df": self._df, "size": self.size}, ensure_ascii=False
            ),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        data = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
        return cls(retriever, SwedishAnalyzer(data["vocabulary"]), data["df"], data["size"])

    def idf(self, term: str) -> float:
        """Inverse document frequency; 0 for a term no passage has."""
        df = self._df.get(term, 0)
        if df == 0:
            return 0.0
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def idf_ceiling(self) -> float:
        """The weight of a word no passage has: that of a word only one passage has."""
        return math.log(1 + (self.size - 1 + 0.5) / 1.5)

    @cached_property
    def _median_idf(self) -> float:
        values = sorted(self.idf(term) for term in self._df)
        return values[len(values) // 2] if values else 0.0

    def idf_median(self) -> float:
        return self._median_idf

    def knows(self, term: str) -> bool:
        return term in self._df

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        known = [t for t in terms if t in self._df]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)
