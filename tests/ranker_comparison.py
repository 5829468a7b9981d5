"""Other model classes for the ranker, over the same candidate features: `tests/fit.py --compare-rankers`.

Each is fitted as the shipped ranker is chosen: on the train questions of the documents a fold does not
hold out, scored on that fold's questions (asked on the index of all documents), pooled over the folds;
and fitted on all of train, scored on validation. Only the ranker's own order is scored (source@1: the
first candidate holds the source; source@3: one of the first three), not the composed answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

Scorer = Callable[[np.ndarray], np.ndarray]
"""Scores a question's candidate feature rows; higher ranks first."""

SHIPPED_L2 = 30.0
# The main signals whose pairwise products are tried: word overlap, closeness in meaning, passage rank.
PRODUCT_FEATURES = ("lexical", "dense", "dense_hub", "dense_window", "lemma", "passage_fused", "query_coverage")


class Asked(Protocol):
    question: dict[str, Any]
    features: np.ndarray
    labels: np.ndarray


class HeldOutFold(Protocol):
    @property
    def fold(self) -> Any: ...

    @property
    def measured(self) -> Sequence[Asked]: ...


def compare_rankers(
    train: Sequence[Asked],
    validation: Sequence[Asked],
    held: Sequence[HeldOutFold],
    feature_names: Sequence[str],
    fit_listwise: Callable[[list[Any], float], dict[str, Any]],
) -> list[str]:
    """One line per model class: held-out and validation source@1 and source@3."""

    def linear(transform: Callable[[np.ndarray], np.ndarray]) -> Callable[[Sequence[Asked]], Scorer]:
        def fitted(rows: Sequence[Asked]) -> Scorer:
            params = fit_listwise([_Rows(a.question, transform(a.features), a.labels) for a in rows], SHIPPED_L2)
            mean, scale, weights = (np.asarray(params[k]) for k in ("mean", "scale", "weights"))
            return lambda f: ((transform(f) - mean) / scale) @ weights

        return fitted

    def trees(rows: Sequence[Asked]) -> Scorer:
        kept = [a for a in rows if a.labels.any()]
        model = HistGradientBoostingClassifier(
            max_depth=3, learning_rate=0.05, max_iter=300, l2_regularization=1.0, random_state=0
        )
        model.fit(np.concatenate([a.features for a in kept]), np.concatenate([a.labels for a in kept]))
        return lambda f: model.predict_proba(f)[:, 1]

    def blend(rows: Sequence[Asked]) -> Scorer:
        first, second = linear(_same)(rows), trees(rows)

        def score(features: np.ndarray) -> np.ndarray:
            linear_scores = first(features)
            return -(_ranks(linear_scores) + _ranks(second(features))) + 1e-3 * linear_scores

        return score

    products = _products(feature_names)
    classes: dict[str, Callable[[Sequence[Asked]], Scorer]] = {
        "linear listwise (shipped)": linear(_same),
        "gradient-boosted trees, pointwise": trees,
        "blend of the two by rank": blend,
        "linear + pairwise products": linear(products),
        "linear + ranks within the question": linear(_with_ranks),
    }
    lines = []
    for name, fit in classes.items():
        hits = np.zeros(2)
        count = 0
        for part in held:
            inside = [a for a in train if not part.fold.excludes(a.question)]
            fold_hits, fold_count = _scored(fit(inside), part.measured)
            hits += fold_hits
            count += fold_count
        valid_hits, valid_count = _scored(fit(train), validation)
        held_1, held_3 = hits / max(count, 1)
        valid_1, valid_3 = valid_hits / max(valid_count, 1)
        lines.append(
            f"{name:38s} held-out source@1 {held_1:.3f} source@3 {held_3:.3f} (n={count}) · "
            f"validation {valid_1:.3f} / {valid_3:.3f} (n={valid_count})"
        )
    answerable = [a for part in held for a in part.measured if not a.question.get("abstain")]
    found = sum(bool(a.labels.any()) for a in answerable)
    lines.append(f"held-out: the source is among the candidates for {found / max(len(answerable), 1):.3f}")
    return lines


class _Rows:
    def __init__(self, question: dict[str, Any], features: np.ndarray, labels: np.ndarray) -> None:
        self.question, self.features, self.labels = question, features, labels


def _scored(scorer: Scorer, asked: Sequence[Asked]) -> tuple[np.ndarray, int]:
    hits, count = np.zeros(2), 0
    for a in asked:
        if a.question.get("abstain") or not len(a.features):
            continue
        count += 1
        order = np.argsort(-scorer(a.features), kind="stable")
        hits += (bool(a.labels[order[0]]), bool(a.labels[order[:3]].any()))
    return hits, count


def _same(features: np.ndarray) -> np.ndarray:
    return features


def _ranks(scores: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(-scores, kind="stable"), kind="stable").astype(float)


def _with_ranks(features: np.ndarray) -> np.ndarray:
    if not len(features):
        return features
    ranks = np.argsort(np.argsort(-features, axis=0, kind="stable"), axis=0, kind="stable")
    return np.hstack([features, 1.0 / (1.0 + ranks)])


def _products(feature_names: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
    columns = [feature_names.index(name) for name in PRODUCT_FEATURES]
    pairs = [(a, b) for i, a in enumerate(columns) for b in columns[i + 1 :]]

    def transform(features: np.ndarray) -> np.ndarray:
        if not len(features):
            return features
        return np.hstack([features, np.stack([features[:, a] * features[:, b] for a, b in pairs], axis=1)])

    return transform
