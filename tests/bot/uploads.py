"""Uploads as Teams delivers them: test documents made here (they say they are test data), a local HTTP
server standing in for SharePoint's short-lived download links, and the attachment that carries the link."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from aiohttp import web
from bot_helpers import start_site
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from bot.teams.owner_commands import FILE_DOWNLOAD_INFO

OWNER_ID = "aad-owner-1"
PDF_TITLE = "Testdokument om Exempelnämndens provrutin"
DOCX_TITLE = "Testdokument om Provkommitténs mötesordning"
PDF_QUESTION = "Vem beslutar om provrutinen för testärenden?"
DOCX_QUESTION = "Hur ofta sammanträder Provkommittén?"
BUNDLED_QUESTION = "Vem beslutar om medlemskap i internationella nätverk?"


def make_test_pdf(path: Path) -> bytes:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, 780, PDF_TITLE)
    pdf.setFont("Helvetica", 11)
    lines = [
        "Detta dokument är testdata för Strategibots tester och betyder ingenting.",
        "Exempelnämnden beslutar om provrutinen för testärenden i detta påhittade exempel.",
        "Provrutinen för testärenden gäller från den 1 mars 2026 enligt testdokumentet.",
    ]
    for number, line in enumerate(lines):
        pdf.drawString(72, 740 - 16 * number, line)
    pdf.showPage()
    pdf.save()
    return path.read_bytes()


def make_test_docx(path: Path) -> bytes:
    document = docx.Document()
    document.add_heading(DOCX_TITLE, level=1)
    document.add_paragraph("Detta dokument är testdata för Strategibots tester och betyder ingenting.")
    document.add_paragraph("Provkommittén sammanträder fyra gånger per år enligt detta testdokument.")
    document.save(str(path))
    return path.read_bytes()


@dataclass
class FileHost:
    """A stand-in for SharePoint: serves files by name, redirects on /redirect?to=..., records requests."""

    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requested.append(request.path_qs)
        if request.path == "/redirect":
            raise web.HTTPFound(request.query["to"])
        name = request.match_info["name"]
        if name not in self.files:
            raise web.HTTPNotFound()
        return web.Response(body=self.files[name], content_type="application/octet-stream")

    def link(self, name: str) -> str:
        return f"{self.url}/files/{name}"


async def start_file_host() -> tuple[web.AppRunner, FileHost]:
    host = FileHost()
    app = web.Application()
    app.router.add_get("/files/{name}", host.handle)
    app.router.add_get("/redirect", host.handle)
    runner, host.url = await start_site(app)
    return runner, host


def file_attachment(name: str, url: str) -> dict[str, Any]:
    return {
        "contentType": FILE_DOWNLOAD_INFO,
        "name": name,
        "contentUrl": url,
        "content": {"downloadUrl": url, "uniqueId": name, "fileType": Path(name).suffix[1:]},
    }
