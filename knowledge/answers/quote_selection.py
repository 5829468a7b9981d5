"""Which of the best sentences an answer quotes: fitted on the question bank (`make fit`).

The ranker is often unsure between a few sentences, and the right one is then second or third. Quoting
every sentence that scores at least ``close_ratio`` of the best lets the asker see it with its source, at
the cost of a longer answer. `make fit` picks the ratio on the train split: the one that quotes the right
sentence among the first three most often while the median answer stays within ``MEDIAN_CHARS_LIMIT``.

A document of another date is quoted beside the best sentence even when it scores further below, since
documents of different dates may answer differently, and it is then read first when it is newer. The
ranker must still give it at least ``other_date_floor`` (a probability of answering), or score as close to
the best as a quoted runner-up must: below both, leading with it puts a sentence about something else
first. `make fit` picks the floor on train, by how often the first quote holds the source.
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
OTHER_DATE_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)


@dataclass(frozen=True)
class QuoteSelection:
    close_ratio: float
    """A runner-up is quoted when its ranker score is at least this share of the best one's."""
    other_date_floor: float = 0.0
    """A document of another date is quoted beside the best sentence only from this ranker probability."""

    @classmethod
    def load(cls, path: Path = QUOTES_MODEL) -> QuoteSelection:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            ratio = float(data["close_ratio"])
            other_date = float(data["other_date_floor"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path} is missing or unreadable ({error}); run `make fit` to write it.") from error
        if not 0.0 < ratio <= 1.0:
            raise ValueError(f"{path}: close_ratio must be in (0, 1], not {ratio}; run `make fit` to write it.")
        if not 0.0 <= other_date <= 1.0:
            raise ValueError(
                f"{path}: other_date_floor must be in [0, 1], not {other_date}; run `make fit` to write it."
            )
        return cls(ratio, other_date)

    def write(self, meta: dict[str, object], path: Path = QUOTES_MODEL) -> None:
        path.write_text(json.dumps({**asdict(self), **meta}, indent=1) + "\n", encoding="utf-8")
