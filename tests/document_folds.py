"""Folds grouped by document, for choosing and measuring on documents the models have not seen.

Each fold holds out one or two documents and every question they answer. For each fold two indexes are
built, both with the hubness reference pool cut down to the train questions of the other documents:

- ``full``: every document. The held-out questions are asked here, as a user's question about a document
  the models were not fitted on would be.
- ``without``: every document but the held-out ones. The held-out answerable questions whose every source
  is held out are asked here too: the same wording, now unanswerable (a counterfactual pair), so that
  wording alone cannot carry the answerability decision.

Unanswerable bank questions belong to no document; they are dealt to the folds in turn by id.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.pipeline import Ingester
from knowledge.index.hubness import ReferenceQuestions
from knowledge.settings import Settings

# The bank names the remiss answer by its published file name.
BANK_DOC_FILES = {"000_ed1090a45f90d3ac": "trafikkontoret-2016-09-22-remissvar-internationell-strategi"}

# One or two documents a fold; translations and pages on the same subject are held out together, so that a
# held-out fact does not stay in the fit through its twin.
FOLDS: tuple[tuple[str, ...], ...] = (
    ("000_ed1090a45f90d3ac",),
    ("stockholm-webb-organisationer-och-natverk-utdrag", "stockholm-webb-internationella-beredningen"),
    (
        "stockholms-stad-arsredovisning-2021-internationella-relationer-utdrag",
        "stockholm-webb-stockholmsregionens-europaforening",
    ),
    ("stockholms-stad-2016-11-14-internationell-strategi-utdrag", "stockholm-webb-internationell-strategi-2008"),
    (
        "stockholm-web-international-relations-and-eu-policy-excerpt",
        "stockholm-webb-internationella-relationer-och-eu-policy-utdrag",
    ),
    ("stockholm-web-eu-policy-and-projects", "stockholms-stad-2009-07-01-pressmeddelande-eu-projekt"),
    ("stockholm-webb-eu-policyarbetet-utdrag",),
)


def documents_of(question: dict) -> set[str]:
    """The bank names of the documents that answer a question (empty for an unanswerable one)."""
    if question.get("abstain"):
        return set()
    return {question["doc"], *question.get("also_docs", [])}


def fold_of_unanswerable(question: dict) -> int:
    digest = hashlib.sha256(question["id"].encode()).digest()
    return digest[0] % len(FOLDS)


@dataclass(frozen=True)
class Fold:
    number: int
    documents: tuple[str, ...]
    full_dir: Path
    without_dir: Path

    def holds_out(self, question: dict) -> bool:
        """The question is measured in this fold: its best document is held out (or, unanswerable, it is
        dealt here)."""
        if question.get("abstain"):
            return fold_of_unanswerable(question) == self.number
        return question["doc"] in self.documents

    def excludes(self, question: dict) -> bool:
        """The fit of this fold must not see the question: it is measured here, or one of its documents is
        held out."""
        return self.holds_out(question) or bool(documents_of(question) & set(self.documents))

    def counterfactual(self, question: dict) -> bool:
        """An answerable question whose every source is held out: unanswerable in the ``without`` index."""
        found = documents_of(question)
        return bool(found) and found <= set(self.documents)

    @property
    def label(self) -> str:
        return " + ".join(BANK_DOC_FILES.get(d, d) for d in self.documents)


def build_folds(settings: Settings, embedder, train: list[dict], root: Path) -> list[Fold]:  # type: ignore[no-untyped-def]
    """Index each fold's ``full`` and ``without`` folders under ``root``, starting from the main data
    folder's embedding cache (so nothing is embedded again)."""
    corpus = settings.corpus_dir
    folds = []
    for number, documents in enumerate(FOLDS):
        fold = Fold(number, documents, root / f"fold{number}-full", root / f"fold{number}-without")
        held_files = {BANK_DOC_FILES.get(d, d) for d in documents}
        reference = ReferenceQuestions.from_questions((q["lang"], q["question"]) for q in train if not fold.excludes(q))
        kept = [p for p in sorted(corpus.glob("*.txt")) if p.stem not in held_files]
        for folder, paths in ((fold.full_dir, [corpus]), (fold.without_dir, kept)):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(settings.data_dir / "embeddings.sqlite", folder / "embeddings.sqlite")
            ingester = Ingester(fold_settings(settings, folder), embedder, show_progress=False, reference=reference)
            try:
                ingester.run(paths)
            finally:
                ingester.close()
        folds.append(fold)
    return folds


def fold_settings(settings: Settings, folder: Path) -> Settings:
    return replace(settings, data_dir=folder, documents_dir=folder / "documents")
