"""Question vectors, remembered for the questions asked most recently.

Embedding a question is the largest single cost of an answer (about half of it). The same texts come back
often: the welcome card's examples, the suggestions a user clicks, and the suggestions the engine itself
checks before offering them. Remembering a few hundred costs little memory (384 floats each).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from knowledge.index.embedders import Embedder

REMEMBERED_QUESTIONS = 512


class QueryVectors:
    def __init__(self, embedder: Embedder, capacity: int = REMEMBERED_QUESTIONS) -> None:
        self._embedder = embedder
        self._capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vector(self, text: str) -> np.ndarray:
        with self._lock:
            known = self._vectors.get(text)
            if known is not None:
                self._vectors.move_to_end(text)
                return known
        vector = self._embedder.embed_query(text)
        vector.setflags(write=False)  # shared between answers: nobody may change it in place
        with self._lock:
            self._vectors[text] = vector
            while len(self._vectors) > self._capacity:
                self._vectors.popitem(last=False)
        return vector
