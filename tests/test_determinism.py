"""The same question gets the same candidates, with the same features, in every process and from every
build of the index of the same documents.

`make fit` is fitted on these features and its report is compared across runs: if a process's hash seed
could change which copy of a sentence that overlapping passages share becomes a candidate, or a rebuilt
index could find a different nearest sentence, two fits of the same bank would differ, and so would two
servers' answers.
"""

from __future__ import annotations

import json
from pathlib import Path

from testsupport import run_python, settings_for

from bot.serving.engine_factory import open_engine
from knowledge.engine import Engine

BANK = Path(__file__).resolve().parent / "bank"
QUESTIONS = [
    # Long questions reach far down the nearest sentences, where copies of one sentence tie.
    "There's a new EU directive on the way that will affect how we handle waste collection. My boss asked how "
    "the city could influence it or get ready early. What channels does the 2009 press release mention?",
    "Vem beslutar om medlemskap i internationella nätverk?",
    "Who handles visits from foreign delegations?",
]
PRINT_CANDIDATES = """
import json, sys
from knowledge.engine import Engine
from knowledge.settings import Settings
engine = Engine.open(Settings.from_env())
for question in json.loads(sys.stdin.read()):
    print(json.dumps([[c.sentence_id, list(c.features)] for c in engine.evidence(question).candidates]))
engine.close()
"""


def candidates_in_a_process(data_dir: Path, hash_seed: int) -> list[str]:
    done = run_python(
        "-c",
        PRINT_CANDIDATES,
        data_dir=data_dir,
        documents_dir=data_dir / "documents",
        stdin=json.dumps(QUESTIONS),
        extra_env={"PYTHONHASHSEED": str(hash_seed)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


def test_candidates_do_not_depend_on_the_process(corpus_data_dir: Path) -> None:
    runs = [candidates_in_a_process(corpus_data_dir, seed) for seed in (1, 2, 3, 4)]
    assert len(runs[0]) == len(QUESTIONS) and all(json.loads(line) for line in runs[0])
    for run in runs[1:]:
        assert run == runs[0]


def test_two_builds_of_the_same_documents_give_the_same_candidates(corpus_data_dir: Path, warm_data_dir: Path) -> None:
    # The vector index is built on several threads, so its graph differs between builds; its search must
    # still find the same nearest sentences. The bank's questions reach into every document.
    questions = [
        json.loads(line)["question"]
        for split in ("train", "validation")
        for line in (BANK / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    first = Engine.open(settings_for(corpus_data_dir))
    rebuilt = open_engine(settings_for(warm_data_dir), show_progress=False)
    try:
        for question in questions:
            expected = [(c.sentence_id, c.features) for c in first.evidence(question).candidates]
            assert [(c.sentence_id, c.features) for c in rebuilt.evidence(question).candidates] == expected, question
    finally:
        first.close()
        rebuilt.close()
