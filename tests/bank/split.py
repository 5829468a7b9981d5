#!/usr/bin/env python3
"""Merge the writers' question files into the bank and split it, once, into train, validation and test.

usage: split.py WRITERS_DIR            (writes questions.jsonl, train.jsonl, validation.jsonl, test.jsonl here)
       split.py --add WRITERS_DIR      (keeps every question already in the bank where it is, and splits the
                                        new writers' questions once, with their own seed)
       split.py --add-off-topic WRITERS_DIR
                                       (the same for the round of off-topic questions, with its seed)

A conversation stays whole in one split; each writer's questions are spread over the splits in the same
proportions, so both languages and every style reach each split. The seed is fixed: running it again on the
same files gives the same split. The test split is scored only to report, never to tune.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

SEED = 20261130
# The second round of writers (all twelve documents) was split once with its own seed, and so was the third
# (off-topic questions: what staff ask a Teams assistant that has nothing to do with the documents).
ADDED_SEED = 20261206
ADDED_SEEDS = {"--add": ADDED_SEED, "--add-off-topic": 20261207}
SHARES = (("train", 0.6), ("validation", 0.2), ("test", 0.2))
HERE = Path(__file__).parent


def main(*args: str) -> int:
    adding = args[0] in ADDED_SEEDS
    writers_dir = args[-1]
    questions: list[dict] = []
    for path in sorted(Path(writers_dir).glob("*.jsonl")):
        questions.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    kept = read(HERE / "questions.jsonl") if adding else []
    ids = [q["id"] for q in kept + questions]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate ids in the writers' files")
    splits = split(questions, ADDED_SEEDS[args[0]] if adding else SEED)
    for question in kept:
        splits[question["split"]].append(question)
    questions = kept + questions
    order = {q["id"]: i for i, q in enumerate(questions)}
    write(HERE / "questions.jsonl", sorted((q for s in splits.values() for q in s), key=lambda q: order[q["id"]]))
    for name, rows in splits.items():
        write(HERE / f"{name}.jsonl", sorted(rows, key=lambda q: order[q["id"]]))
        english = sum(q.get("lang") == "en" for q in rows)
        unanswerable = sum(bool(q.get("abstain")) for q in rows)
        print(f"{name}: {len(rows)} questions, {english} in English, {unanswerable} unanswerable")
    return 0


def split(questions: list[dict], seed: int) -> dict[str, list[dict]]:
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for question in questions:
        writer = question["id"].split("-")[0]
        groups[writer][question.get("conversation") or question["id"]].append(question)
    rng = random.Random(seed)
    splits: dict[str, list[dict]] = {name: [] for name, _ in SHARES}
    for writer in sorted(groups):
        keys = sorted(groups[writer])
        rng.shuffle(keys)
        total = sum(len(groups[writer][k]) for k in keys)
        placed = 0
        for key in keys:
            share = placed / total
            name = "train" if share < SHARES[0][1] else "validation" if share < SHARES[0][1] + SHARES[1][1] else "test"
            for question in groups[writer][key]:
                splits[name].append({**question, "split": name})
            placed += len(groups[writer][key])
    return splits


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
