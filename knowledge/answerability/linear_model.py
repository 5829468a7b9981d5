"""A fitted logistic model read from JSON: standardise the features, weigh them, squash to a probability.

The models are fitted by `make fit` (tests/fit.py) on the question bank's train split; their operating
points are chosen on the validation split. The file names its features, so a model that does not match
the code's features is refused at load instead of silently scoring the wrong columns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODELS_DIR = Path(__file__).parent / "models"


def read_model_file(name: str, folder: Path = MODELS_DIR) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


class ModelMismatch(ValueError):
    pass


@dataclass(frozen=True)
class LinearModel:
    name: str
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float
    threshold: float
    """The operating point: a probability at or above it counts as yes."""

    @classmethod
    def load(cls, name: str, features: tuple[str, ...], folder: Path = MODELS_DIR) -> LinearModel:
        return cls.from_file_data(name, features, folder / f"{name}.json", read_model_file(name, folder))

    @classmethod
    def from_file_data(cls, name: str, features: tuple[str, ...], path: Path, data: dict) -> LinearModel:  # type: ignore[type-arg]
        """The model in ``data``, as read from the file at ``path`` (named in the error when it does not fit)."""
        if tuple(data["features"]) != features:
            raise ModelMismatch(f"{path} was fitted on other features; run `make fit` to fit it again.")
        return cls(
            name=name,
            features=features,
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            weights=np.asarray(data["weights"], dtype=np.float64),
            intercept=float(data["intercept"]),
            threshold=float(data.get("threshold", 0.5)),
        )

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        if rows.size == 0:
            return np.zeros(0)
        z = ((rows - self.mean) / self.scale) @ self.weights + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def probability(self, row: np.ndarray) -> float:
        return float(self.probabilities(row[None, :])[0])
