"""Document loaders: every supported format from a file made in the test, and every way a file
can be unreadable. All document text here is made-up test data."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from ingest.loaders import SUPPORTED_SUFFIXES, UnreadableDocument, load_document
from ingest.title import guess_title
from knowledge.types import Block, ExtractedDocument

REAL_DOCUMENT = (
    Path(__file__).resolve().parents[1]
    / "knowledge/corpus/trafikkontoret-2016-09-22-remissvar-internationell-strategi.txt"
)
BODY = "Testdokument. Nämnden för testning beslutar om provärenden."

# (font size, text, space to the next line) per printed line; one list per page.
PrintedPage = list[tuple[float, str, float]]


def assert_exact_slices(document: ExtractedDocument) -> None:
    assert document.blocks
    for block in document.blocks:
        assert document.text[block.start : block.start + len(block.text)] == block.text, block


def kinds_and_texts(document: ExtractedDocument) -> list[tuple[str, str]]:
    return [(block.kind, block.text) for block in document.blocks]


def write_pdf(path: Path, pages: list[PrintedPage], *, page_numbers: bool = True) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number, lines in enumerate(pages, start=1):
        y = 780.0
        for size, text, space_after in lines:
            pdf.setFont("Helvetica-Bold" if size > 11 else "Helvetica", size)
            pdf.drawString(72, y, text)
            y -= space_after
        if page_numbers:
            pdf.setFont("Helvetica", 9)
            pdf.drawString(480, 40, f"Sida {number} ({len(pages)})")
        pdf.showPage()
    pdf.save()
    return path


def two_page_test_pdf(path: Path) -> Path:
    return write_pdf(
        path,
        [
            [
                (16, "Testdokument om provärenden", 30),
                (13, "Bakgrund", 20),
                (11, "Testdokument. Nämnden för testning beslutar om provärenden i detta", 14),
                (11, "påhittade exempel. Texten är testdata och betyder ingenting.", 22),
                (11, "Andra stycket börjar här och fortsätter på nästa sida med ord som", 14),
                (11, "tydligt bidrar till", 14),
            ],
            [
                (11, "provärendena i testet. Texten är fortfarande bara testdata.", 22),
                (13, "Beslut", 20),
                (11, "Nämnden för testning beslutar att godkänna provärendet.", 22),
                (11, "- Första testpunkten.", 14),
                (11, "- Andra testpunkten.", 14),
            ],
        ],
    )


class TestPlainText:
    def test_real_document(self) -> None:
        document = load_document(REAL_DOCUMENT)
        assert_exact_slices(document)
        headings = [block.text for block in document.blocks if block.kind == "heading"]
        assert headings[:3] == ["Förslag till beslut", "Sammanfattning", "Remissen"]
        assert all(block.page is None for block in document.blocks)

    def test_structure_of_a_test_text(self, tmp_path: Path) -> None:
        path = tmp_path / "prov.txt"
        path.write_text(
            f"Provrubrik\n\n{BODY}\n\n- Första provpunkten\n- Andra provpunkten\n\nTest Testsson\nProvchef\n",
            encoding="utf-8",
        )
        document = load_document(path)
        assert_exact_slices(document)
        assert kinds_and_texts(document) == [
            ("heading", "Provrubrik"),
            ("paragraph", BODY),
            ("list_item", "Första provpunkten"),
            ("list_item", "Andra provpunkten"),
            ("lines", "Test Testsson\nProvchef"),
        ]

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
    def test_encodings(self, tmp_path: Path, encoding: str) -> None:
        path = tmp_path / f"prov-{encoding}.txt"
        path.write_bytes(f"Provärende\r\n\r\n{BODY}\r\n".encode(encoding))
        document = load_document(path)
        assert document.text == f"Provärende\n\n{BODY}\n"
        assert_exact_slices(document)

    def test_suffix_is_case_insensitive(self, tmp_path: Path) -> None:
        path = tmp_path / "PROV.TXT"
        path.write_text(BODY, encoding="utf-8")
        assert load_document(path).blocks[0].text == BODY


class TestMarkdown:
    def test_headings_lists_and_paragraphs(self, tmp_path: Path) -> None:
        path = tmp_path / "prov.md"
        path.write_text(
            "# Testdokument\n\n"
            "Nämnden för **testning** beslutar\nom [provärenden](https://example.org/prov).\n\n"
            "## Provpunkter\n\n"
            "- första punkten\n"
            "* andra punkten\n  som fortsätter\n"
            "1. numrerad punkt\n\n"
            "Underrubrik\n-----------\n\n"
            "Sista stycket med `kod` och _betoning_.\n",
            encoding="utf-8",
        )
        document = load_document(path)
        assert_exact_slices(document)
        assert [(block.kind, block.text, block.level) for block in document.blocks] == [
            ("heading", "Testdokument", 1),
            ("paragraph", "Nämnden för testning beslutar om provärenden.", 0),
            ("heading", "Provpunkter", 2),
            ("list_item", "första punkten", 0),
            ("list_item", "andra punkten som fortsätter", 0),
            ("list_item", "numrerad punkt", 0),
            ("heading", "Underrubrik", 2),
            ("paragraph", "Sista stycket med kod och betoning.", 0),
        ]
        assert "#" not in document.text
        assert "1. numrerad punkt" in document.text
        assert guess_title(document) == "Testdokument"

    def test_table_cells_and_code(self, tmp_path: Path) -> None:
        path = tmp_path / "tabell.md"
        path.write_text(
            "| Prov | Resultat |\n|---|---|\n| Test ett | Godkänd |\n\n```\nrad ett\nrad två\n```\n",
            encoding="utf-8",
        )
        document = load_document(path)
        assert_exact_slices(document)
        assert kinds_and_texts(document) == [
            ("paragraph", "Prov"),
            ("paragraph", "Resultat"),
            ("paragraph", "Test ett"),
            ("paragraph", "Godkänd"),
            ("lines", "rad ett\nrad två"),
        ]


class TestPdf:
    def test_pages_paragraphs_and_headings(self, tmp_path: Path) -> None:
        document = load_document(two_page_test_pdf(tmp_path / "prov.pdf"))
        assert_exact_slices(document)
        assert [(block.kind, block.page) for block in document.blocks] == [
            ("lines", 1),
            ("heading", 1),
            ("paragraph", 1),
            ("paragraph", 1),
            ("heading", 2),
            ("paragraph", 2),
            ("list_item", 2),
            ("list_item", 2),
        ]
        assert [block.text for block in document.blocks if block.kind == "heading"] == ["Bakgrund", "Beslut"]
        assert guess_title(document) == "Testdokument om provärenden"

    def test_paragraph_across_the_page_break_is_joined(self, tmp_path: Path) -> None:
        document = load_document(two_page_test_pdf(tmp_path / "prov.pdf"))
        joined = next(block for block in document.blocks if "tydligt bidrar till" in block.text)
        assert joined.page == 1
        assert joined.text.startswith("Andra stycket börjar här")
        assert joined.text.endswith("provärendena i testet. Texten är fortfarande bara testdata.")

    def test_page_numbers_are_removed(self, tmp_path: Path) -> None:
        document = load_document(two_page_test_pdf(tmp_path / "prov.pdf"))
        assert "Sida" not in document.text

    def test_running_header_is_removed(self, tmp_path: Path) -> None:
        pages = [
            [(9, "Testförvaltningen, provärende", 30), (11, f"Testsida {number}. {BODY}", 14)] for number in range(1, 4)
        ]
        document = load_document(write_pdf(tmp_path / "sidhuvud.pdf", pages))
        assert "Testförvaltningen" not in document.text
        assert [block.page for block in document.blocks] == [1, 2, 3]
        assert_exact_slices(document)

    def test_owner_password_only_pdf_opens(self, tmp_path: Path) -> None:
        source = write_pdf(tmp_path / "källa.pdf", [[(11, BODY, 14)]])
        writer = PdfWriter(clone_from=source)
        writer.encrypt(user_password="", owner_password="ägarlösen")
        path = tmp_path / "skyddad.pdf"
        writer.write(path)
        assert load_document(path).blocks[0].text == BODY


class TestWordDocument:
    def test_headings_lists_paragraphs_and_tables(self, tmp_path: Path) -> None:
        word = docx.Document()
        word.add_paragraph("Testdokument", style="Title")
        word.add_paragraph("Provärenden", style="Heading 1")
        word.add_paragraph(BODY)
        word.add_paragraph("Provpunkter", style="Heading 2")
        word.add_paragraph("första punkten", style="List Bullet")
        word.add_paragraph("andra punkten", style="List Bullet")
        word.add_paragraph("numrerad punkt", style="List Number")
        word.add_paragraph("")
        table = word.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "Testcell ett"
        table.cell(0, 1).text = "Testcell två"
        path = tmp_path / "prov.docx"
        word.save(str(path))

        document = load_document(path)
        assert_exact_slices(document)
        assert [(block.kind, block.text, block.level) for block in document.blocks] == [
            ("heading", "Testdokument", 1),
            ("heading", "Provärenden", 1),
            ("paragraph", BODY, 0),
            ("heading", "Provpunkter", 2),
            ("list_item", "första punkten", 0),
            ("list_item", "andra punkten", 0),
            ("list_item", "numrerad punkt", 0),
            ("paragraph", "Testcell ett", 0),
            ("paragraph", "Testcell två", 0),
        ]
        assert "- första punkten" in document.text
        assert "1. numrerad punkt" in document.text

    def test_swedish_style_names(self, tmp_path: Path) -> None:
        word = docx.Document()
        word.styles["Heading 2"].name = "Rubrik 2"
        word.add_paragraph("Svensk provrubrik", style="Rubrik 2")
        word.add_paragraph(BODY)
        path = tmp_path / "svensk.docx"
        word.save(str(path))
        assert load_document(path).blocks[0] == Block("heading", "Svensk provrubrik", 0, level=2)


class TestHtml:
    def test_blocks_and_ignored_elements(self, tmp_path: Path) -> None:
        path = tmp_path / "prov.html"
        path.write_text(
            "<!doctype html><html><head><title>Testsida</title><style>p {color: red}</style></head>"
            "<body><nav><a href='/'>Startsida</a></nav>"
            "<h1>Testdokument</h1>"
            "<p>Nämnden för   testning\n beslutar om <b>provärenden</b> &amp; prov.</p>"
            "<h2>Provpunkter</h2>"
            "<ul><li>första punkten</li><li><p>andra punkten</p></li></ul>"
            "<ol><li>numrerad punkt</li></ol>"
            "<table><tr><th>Prov</th><td>Godkänd</td></tr></table>"
            "<p>Testgatan 1<br>123 45 Provstad</p>"
            "<script>var prov = 1;</script>"
            "</body></html>",
            encoding="utf-8",
        )
        document = load_document(path)
        assert_exact_slices(document)
        assert [(block.kind, block.text, block.level) for block in document.blocks] == [
            ("heading", "Testdokument", 1),
            ("paragraph", "Nämnden för testning beslutar om provärenden & prov.", 0),
            ("heading", "Provpunkter", 2),
            ("list_item", "första punkten", 0),
            ("list_item", "andra punkten", 0),
            ("list_item", "numrerad punkt", 0),
            ("paragraph", "Prov", 0),
            ("paragraph", "Godkänd", 0),
            ("lines", "Testgatan 1\n123 45 Provstad", 0),
        ]
        for left_out in ("Startsida", "color", "var prov", "Testsida"):
            assert left_out not in document.text
        assert "1. numrerad punkt" in document.text

    def test_htm_suffix_and_unclosed_elements(self, tmp_path: Path) -> None:
        path = tmp_path / "prov.htm"
        markup = "<p>Första teststycket.<p>Andra teststycket.<ul><li>ett<li>två</ul>"
        path.write_text(markup, encoding="utf-8")
        document = load_document(path)
        assert_exact_slices(document)
        assert kinds_and_texts(document) == [
            ("paragraph", "Första teststycket."),
            ("paragraph", "Andra teststycket."),
            ("list_item", "ett"),
            ("list_item", "två"),
        ]


class TestUnreadableDocuments:
    def assert_unreadable(self, path: Path, *reason_parts: str) -> None:
        with pytest.raises(UnreadableDocument) as caught:
            load_document(path)
        message = str(caught.value)
        assert message.startswith(f"{path.name}: ")
        for part in reason_parts:
            assert part in message
        assert caught.value.path == path

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        path = tmp_path / "prov.xyz"
        path.write_text(BODY, encoding="utf-8")
        self.assert_unreadable(path, "unsupported type .xyz", "supported: .txt .md .pdf .docx .html")

    def test_no_suffix(self, tmp_path: Path) -> None:
        path = tmp_path / "README"
        path.write_text(BODY, encoding="utf-8")
        self.assert_unreadable(path, "unsupported type (no suffix)")

    @pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  "])
    @pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
    def test_empty_or_whitespace_file(self, tmp_path: Path, content: bytes, suffix: str) -> None:
        path = tmp_path / f"tom{suffix}"
        path.write_bytes(content)
        self.assert_unreadable(path, "is empty (no text)")

    @pytest.mark.parametrize("suffix", [".md", ".html"])
    def test_markup_without_text(self, tmp_path: Path, suffix: str) -> None:
        path = tmp_path / f"bara-markering{suffix}"
        markup = "<script>var prov = 1;</script>" if suffix == ".html" else "---\n\n# \n"
        path.write_text(markup, encoding="utf-8")
        self.assert_unreadable(path, "is empty (no text)")

    def test_missing_file(self, tmp_path: Path) -> None:
        self.assert_unreadable(tmp_path / "saknas.txt", "cannot be read")

    def test_undecodable_text(self, tmp_path: Path) -> None:
        path = tmp_path / "trasig.txt"
        path.write_bytes(b"Provtext \x81\x8d\x90 med bytes som ingen teckenkodning tar.")
        self.assert_unreadable(path, "cannot be decoded as text")

    def test_binary_file_with_text_suffix(self, tmp_path: Path) -> None:
        path = tmp_path / "binär.txt"
        path.write_bytes(b"PK\x03\x04\x00\x00provdata\x00\x00")
        self.assert_unreadable(path, "is not a text file")

    def test_corrupt_pdf(self, tmp_path: Path) -> None:
        path = tmp_path / "trasig.pdf"
        path.write_bytes(random.Random(20160922).randbytes(4096))
        self.assert_unreadable(path, "the PDF is corrupt (")

    def test_truncated_pdf(self, tmp_path: Path) -> None:
        complete = two_page_test_pdf(tmp_path / "hel.pdf").read_bytes()
        path = tmp_path / "avkortad.pdf"
        path.write_bytes(complete[: len(complete) // 3])
        self.assert_unreadable(path, "the PDF is corrupt (")

    def test_encrypted_pdf(self, tmp_path: Path) -> None:
        source = write_pdf(tmp_path / "källa.pdf", [[(11, BODY, 14)]])
        writer = PdfWriter(clone_from=source)
        writer.encrypt("secret")
        path = tmp_path / "krypterad.pdf"
        writer.write(path)
        self.assert_unreadable(path, "the PDF is encrypted")

    def test_pdf_without_text(self, tmp_path: Path) -> None:
        path = write_pdf(tmp_path / "skannad.pdf", [[], []], page_numbers=False)
        self.assert_unreadable(path, "no extractable text")

    def test_corrupt_docx(self, tmp_path: Path) -> None:
        path = tmp_path / "trasig.docx"
        path.write_bytes(random.Random(20160922).randbytes(4096))
        self.assert_unreadable(path, "is corrupt (")

    def test_docx_zip_without_a_document(self, tmp_path: Path) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("prov.txt", BODY)
        path = tmp_path / "inget-dokument.docx"
        path.write_bytes(buffer.getvalue())
        self.assert_unreadable(path, "is corrupt (")

    def test_password_protected_word_file(self, tmp_path: Path) -> None:
        path = tmp_path / "lösenord.docx"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
        self.assert_unreadable(path, "password-protected or an old Word file")

    def test_docx_without_text(self, tmp_path: Path) -> None:
        word = docx.Document()
        word.add_paragraph("   ")
        path = tmp_path / "tom.docx"
        word.save(str(path))
        self.assert_unreadable(path, "is empty (no text)")
