"""How many of the best sentences an answer quotes: fitted on the question bank (`make fit`).

The ranker is often unsure between a few sentences, and the right one is then second or third. Quoting
every sentence that scores at least ``close_ratio`` of the best lets the asker see it with its source, at
the cost of a longer answer. `make fit` picks the ratio on the train split: the one that quotes the right
sentence among the first three most often while the median answer stays within ``MEDIAN_CHARS_LIMIT``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from knowledge.answerability.linear_model import MODELS_DIR

QUOTES_MODEL = MODELS_DIR / "quotes.json"
MEDIAN_CHARS_LIMIT = 300
"""Answers are read in a chat, often during a meeting: half of them should fit in about three lines."""
RATIO_GRID = (0.15, 0.25, 0.35, 0.45, 0.6, 0.7, 0.8)


@dataclass(frozen=True)
class QuoteSelection:
    close_ratio: float
    """A runner-up is quoted when its ranker score is at least this share of the best one's."""

    @classmethod
    def load(cls, path: Path = QUOTES_MODEL) -> QuoteSelection:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            ratio = float(data["close_ratio"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path} is missing or unreadable ({error}); run `make fit` to write it.") from error
        if not 0.0 < ratio <= 1.0:
            raise ValueError(f"{path}: close_ratio must be in (0, 1], not {ratio}; run `make fit` to write it.")
        return cls(ratio)

    def write(self, meta: dict[str, object], path: Path = QUOTES_MODEL) -> None:
        path.write_text(json.dumps({**asdict(self), **meta}, indent=1) + "\n", encoding="utf-8")
