"""Plain-text structure detection: on the bundled real document and on small made-up texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.heading_levels import announced_count
from ingest.structure import detect_blocks
from ingest.title import guess_title
from knowledge.types import Block, ExtractedDocument

BODY = "Testdokument. Nämnden för testning beslutar om provärenden."
REAL_DOCUMENT = (
    Path(__file__).resolve().parents[1]
    / "knowledge/corpus/trafikkontoret-2016-09-22-remissvar-internationell-strategi.txt"
)


def assert_exact_slices(text: str, blocks: tuple[Block, ...]) -> None:
    for block in blocks:
        assert text[block.start : block.start + len(block.text)] == block.text, block


def headings(blocks: tuple[Block, ...]) -> list[tuple[str, int]]:
    return [(block.text, block.level) for block in blocks if block.kind == "heading"]


def block_containing(blocks: tuple[Block, ...], fragment: str) -> Block:
    matches = [block for block in blocks if fragment in block.text]
    assert len(matches) == 1, f"{fragment!r} is in {len(matches)} blocks"
    return matches[0]


@pytest.fixture(scope="module")
def real_text() -> str:
    return REAL_DOCUMENT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def real_blocks(real_text: str) -> tuple[Block, ...]:
    return detect_blocks(real_text)


class TestRealDocument:
    def test_every_block_is_an_exact_slice(self, real_text: str, real_blocks: tuple[Block, ...]) -> None:
        assert_exact_slices(real_text, real_blocks)

    def test_headings_and_levels(self, real_blocks: tuple[Block, ...]) -> None:
        assert headings(real_blocks) == [
            ("Förslag till beslut", 1),
            ("Sammanfattning", 1),
            ("Remissen", 1),
            ("Inriktning för internationellt arbete", 1),
            ("Profilering", 2),
            ("Omvärldsbevakning", 2),
            ("Samverkan", 2),
            ("Påverkan", 2),
            ("Övergripande principer", 1),
            ("Arbetsätt och ansvarsfördelning", 1),
            ("Ärendets beredning", 1),
            ("Trafikkontorets synpunkter", 1),
            ("Trafikkontorets förslag", 1),
            ("Bilagor", 1),
        ]

    @pytest.mark.parametrize(
        "not_a_heading",
        [
            "Jonas Eliasson",
            "Förvaltningschef",
            "Slut",
            "Handläggare",
            "Trafikkontoret",
            "2016-09-22",
            "Internationell strategi för Stockholms stad. Remiss från kommunstyrelsen",
        ],
    )
    def test_short_lines_that_head_nothing_are_not_headings(
        self, real_blocks: tuple[Block, ...], not_a_heading: str
    ) -> None:
        assert not_a_heading not in [text for text, _ in headings(real_blocks)]

    def test_paragraph_split_by_a_page_break_is_one_block(self, real_blocks: tuple[Block, ...]) -> None:
        block = block_containing(real_blocks, "tydligt bidrar till")
        assert block.kind == "paragraph"
        assert block.text.startswith("Nämnder och bolagsstyrelser ansvarar")
        assert "tydligt bidrar till\n\nintentionerna i den internationella strategin." in block.text

    def test_second_page_break_in_running_text_is_joined_too(self, real_blocks: tuple[Block, ...]) -> None:
        block = block_containing(real_blocks, "medverkar för närvarande")
        assert block.text.startswith("Kontoret företar studieresor")

    def test_signature_name_and_title_stay_together(self, real_blocks: tuple[Block, ...]) -> None:
        block = block_containing(real_blocks, "Jonas Eliasson")
        assert block.kind == "lines"
        assert block.text == "Jonas Eliasson\nFörvaltningschef"

    def test_letterhead_and_contact_block_are_lines(self, real_blocks: tuple[Block, ...]) -> None:
        letterhead = block_containing(real_blocks, "Handläggare")
        assert letterhead.kind == "lines"
        assert letterhead.text.endswith("2016-09-22")
        contact = block_containing(real_blocks, "Box 8311")
        assert contact.kind == "lines"
        assert "Org nr 212000-0142" in contact.text

    def test_list_items_are_one_block_each_without_their_marker(self, real_blocks: tuple[Block, ...]) -> None:
        items = [block.text for block in real_blocks if block.kind == "list_item"]
        assert len(items) == 8
        assert items[0].startswith("Trafiknämnden överlämnar")
        assert items[-1].startswith("Stadsledningskontorets tjänsteutlåtande")
        assert not any(item.startswith(("-", "1.", "2.")) for item in items)

    def test_title_is_the_first_prominent_line(self, real_text: str, real_blocks: tuple[Block, ...]) -> None:
        document = ExtractedDocument(text=real_text, blocks=real_blocks)
        assert guess_title(document) == ("Internationell strategi för Stockholms stad. Remiss från kommunstyrelsen")


class TestTitle:
    @staticmethod
    def title_of(text: str) -> str | None:
        return guess_title(ExtractedDocument(text=text, blocks=detect_blocks(text)))

    def test_single_line_before_the_first_heading(self) -> None:
        assert self.title_of(f"Testdokument om prov\n\nBakgrund\n\n{BODY}\n") == "Testdokument om prov"

    def test_first_heading_when_the_document_opens_with_text(self) -> None:
        assert self.title_of(f"{BODY}\n\nBakgrund\n\n{BODY}\n") == "Bakgrund"

    def test_none_without_headings(self) -> None:
        assert self.title_of(f"{BODY}\n\n- en testpunkt\n") is None


class TestHeadings:
    def test_heading_needs_body_text_after_it(self) -> None:
        text = "Testrubrik\n\nTestdokument. Nämnden för testning beslutar om provärenden.\n\nSlutord\n"
        blocks = detect_blocks(text)
        assert headings(blocks) == [("Testrubrik", 1)]
        assert blocks[-1].kind == "lines"

    def test_heading_before_a_list(self) -> None:
        text = "Provpunkter\n\n- första provpunkten\n- andra provpunkten\n"
        blocks = detect_blocks(text)
        assert [block.kind for block in blocks] == ["heading", "list_item", "list_item"]

    @pytest.mark.parametrize(
        "line",
        [
            "Testrubrik med kolon:",
            "Testrubrik med punkt.",
            "2016-09-22",
            "08-123 456 78",
            "Sida 2 (5)",
            "22 september 2016",
            "provrubrik med liten bokstav",
            "En alldeles för lång rad för att vara en rubrik i ett testdokument om prov",
            "Ett två tre fyra fem sex sju åtta nio tio",
            "test@example.org",
        ],
    )
    def test_lines_that_never_are_headings(self, line: str) -> None:
        text = f"{line}\n\nTestdokument. Nämnden för testning beslutar om provärenden.\n"
        assert headings(detect_blocks(text)) == []

    def test_heading_directly_above_its_paragraph(self) -> None:
        body = "Testdokument. Nämnden för testning beslutar om provärenden och om andra provfrågor."
        text = f"Inledning\n{body}\n"
        blocks = detect_blocks(text)
        assert [(block.kind, block.text) for block in blocks] == [
            ("heading", "Inledning"),
            ("paragraph", body),
        ]

    def test_first_line_of_a_wrapped_paragraph_is_not_a_heading(self) -> None:
        text = (
            "Testdokument om provärenden där nämnden för testning beslutar\n"
            "Om provärenden och om andra frågor som rör testverksamheten i stort.\n"
        )
        blocks = detect_blocks(text)
        assert [block.kind for block in blocks] == ["paragraph"]

    def test_counted_enumeration_makes_sub_headings(self) -> None:
        text = (
            "Provområden\n\nFöljande tre provområden föreslås.\n\n"
            "Första provet\n\nTest ett beskrivs här.\n\n"
            "Andra provet\n\nTest två beskrivs här.\n\n"
            "Tredje provet\n\nTest tre beskrivs här.\n\n"
            "Avslutning\n\nTestdokumentet slutar här.\n"
        )
        assert headings(detect_blocks(text)) == [
            ("Provområden", 1),
            ("Första provet", 2),
            ("Andra provet", 2),
            ("Tredje provet", 2),
            ("Avslutning", 1),
        ]

    def test_english_enumeration_with_a_digit(self) -> None:
        text = (
            "Test areas\n\nThe test committee proposes the following 2 areas.\n\n"
            "First area\n\nA test sentence.\n\nSecond area\n\nAnother test sentence.\n\n"
            "Closing\n\nThe end of the test.\n"
        )
        assert [level for _, level in headings(detect_blocks(text))] == [1, 2, 2, 1]

    def test_enumeration_followed_by_a_list_does_not_nest_later_headings(self) -> None:
        text = (
            "Provregler\n\nFöljande två provregler gäller.\n\n- Regel ett.\n- Regel två.\n\n"
            "Nästa avsnitt\n\nTestdokument. Nämnden för testning beslutar om provärenden.\n"
        )
        assert headings(detect_blocks(text)) == [("Provregler", 1), ("Nästa avsnitt", 1)]

    def test_multi_level_section_numbers_give_levels(self) -> None:
        text = "2 Provärenden\n\nTesttext ett.\n\n2.1 Första provet\n\nTesttext två.\n"
        assert headings(detect_blocks(text)) == [("2 Provärenden", 1), ("2.1 Första provet", 2)]

    @pytest.mark.parametrize(
        ("sentence", "count"),
        [
            ("Följande fyra inriktningar för det internationella arbetet föreslås.", 4),
            ("Nämnden har valt ut nedanstående sju provområden.", 7),
            ("The following three test areas are proposed.", 3),
            ("Under de tre senaste åren har testerna ökat.", 0),
        ],
    )
    def test_announced_count(self, sentence: str, count: int) -> None:
        assert announced_count(sentence) == count


class TestParagraphsListsAndLines:
    def test_list_markers(self) -> None:
        text = "- streck\n• punkt\n* stjärna\n1. siffra\n2) parentes\na) bokstav\n(b) omsluten\n"
        blocks = detect_blocks(text)
        assert [block.kind for block in blocks] == ["list_item"] * 7
        assert [block.text for block in blocks] == [
            "streck",
            "punkt",
            "stjärna",
            "siffra",
            "parentes",
            "bokstav",
            "omsluten",
        ]
        assert_exact_slices(text, blocks)

    def test_wrapped_list_item_continues_on_the_next_line(self) -> None:
        text = "- Testpunkt som är lång och därför\n  fortsätter på nästa rad.\n- Kort testpunkt.\n"
        blocks = detect_blocks(text)
        assert [block.text for block in blocks] == [
            "Testpunkt som är lång och därför\n  fortsätter på nästa rad.",
            "Kort testpunkt.",
        ]

    def test_short_lines_split_by_blank_lines_form_one_lines_block(self) -> None:
        text = "Testdokument. Nämnden för testning beslutar.\n\nTest Testsson\n\nProvchef\n"
        blocks = detect_blocks(text)
        assert [(block.kind, block.text) for block in blocks][-1] == ("lines", "Test Testsson\n\nProvchef")

    def test_initial_in_a_name_is_not_a_list_marker(self) -> None:
        blocks = detect_blocks("K. Testsson\nProvchef\n")
        assert [block.kind for block in blocks] == ["lines"]

    def test_one_paragraph_per_line_text_is_split_per_line(self) -> None:
        first = "Testdokument. " + "Nämnden för testning beslutar om provärenden. " * 3
        second = "Andra stycket. " + "Det här är testdata som inte betyder något alls. " * 3
        text = f"{first.strip()}\n{second.strip()}\n"
        blocks = detect_blocks(text)
        assert [block.kind for block in blocks] == ["paragraph", "paragraph"]
        assert_exact_slices(text, blocks)

    def test_no_merge_after_a_finished_sentence_or_before_a_capital(self) -> None:
        text = (
            "Testdokument. Nämnden beslutar.\n\nnästa stycke börjar med liten bokstav.\n\n"
            "Ett stycke utan slut\n\nNästa stycke börjar med stor bokstav.\n"
        )
        assert len([block for block in detect_blocks(text) if block.kind == "paragraph"]) == 3

    def test_continuation_of_a_list_item_across_a_page_break(self) -> None:
        text = "- Testpunkten fortsätter efter\n\nsidbrytningen i provet.\n"
        blocks = detect_blocks(text)
        assert [block.kind for block in blocks] == ["list_item"]
        assert blocks[0].text.endswith("sidbrytningen i provet.")

    def test_page_numbers_from_page_starts(self) -> None:
        text = "Provrubrik\n\nTesttext på sida ett.\n\nTesttext på sida två.\n"
        second_page = text.index("Testtext på sida två")
        blocks = detect_blocks(text, page_starts=(0, second_page))
        assert [block.page for block in blocks] == [1, 1, 2]

    def test_no_page_without_page_starts(self) -> None:
        assert all(block.page is None for block in detect_blocks("Testtext.\n\nMer testtext.\n"))

    def test_empty_text_has_no_blocks(self) -> None:
        assert detect_blocks("  \n\n \n") == ()
