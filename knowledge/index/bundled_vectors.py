"""The vectors of the bundled corpus, shipped with it, so that a fresh machine's first ingest embeds nothing.

Embedding the bundled documents (passages, sentences, sentence windows) and the reference questions takes
about half a minute on two cores, on every new machine and every empty data folder. `make fit` writes their
vectors here, keyed like the embedding cache (model and content hash); the cache takes them from this file
on a miss, before asking the model. A text that changed has another hash and is embedded as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

BUNDLED_VECTORS = Path(__file__).parents[1] / "data" / "bundled_vectors.npz"


@dataclass(frozen=True)
class BundledVectors:
    by_key: dict[tuple[str, str], np.ndarray]
    """(model, content key) → vector."""

    @classmethod
    def load(cls, path: Path = BUNDLED_VECTORS) -> BundledVectors:
        if not path.exists():
            return cls({})
        with np.load(path, allow_pickle=False) as data:
            models, keys, vectors = data["models"], data["keys"], data["vectors"]
            return cls({(str(m), str(k)): v for m, k, v in zip(models, keys, vectors, strict=True)})

    @staticmethod
    def write(entries: dict[tuple[str, str], np.ndarray], path: Path = BUNDLED_VECTORS) -> None:
        items = sorted(entries.items())
        np.savez_compressed(
            path,
            models=np.asarray([m for (m, _), _ in items]),
            keys=np.asarray([k for (_, k), _ in items]),
            vectors=np.stack([np.asarray(v, dtype=np.float32) for _, v in items]),
        )
