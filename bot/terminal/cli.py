"""`strategibot`: the command line. Every command uses the same engine as the Teams bot.

Library errors become one-line messages here, at the edge; stdout carries only what a command promises
(``ask --jsonl`` writes nothing but its JSON lines), everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from bot.serving.engine_factory import open_engine
from bot.store.settings import StoreSettings
from bot.store.store import Store, StoreUnavailable
from bot.terminal.terminal_render import render_answer, render_responsibilities, terminal_width
from bot.terminal.text_table import wrap_words
from ingest.pipeline import run_ingest
from knowledge.engine import Engine
from knowledge.index.embedders import create_embedder
from knowledge.index.index_store import IndexUnavailable
from knowledge.settings import Settings, SettingsError
from knowledge.types import Answer

log = logging.getLogger("strategibot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # bm25s logs every index build at DEBUG through its own handler.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        return int(args.run(settings, args) or 0)
    except (SettingsError, IndexUnavailable) as error:
        print(f"strategibot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): not an error of ours; keep Python from complaining at exit.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="strategibot", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="index documents (default: the bundled corpus and your folder)")
    ingest.add_argument("paths", nargs="*", type=Path, help="files or folders; the index will hold exactly these")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(run=_ingest)

    ask = commands.add_parser("ask", help="answer one question, or JSON lines from stdin with --jsonl")
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--jsonl", action="store_true", help='read {"id", "question", "conversation"} lines')
    ask.set_defaults(run=_ask)

    chat = commands.add_parser("chat", help="chat in the terminal (follow-up questions keep their context)")
    chat.set_defaults(run=_chat)

    evaluate = commands.add_parser("eval", help="answer a question file and score it")
    evaluate.add_argument("questions", type=Path, help="JSON lines with id, question, expect, source, abstain")
    evaluate.add_argument("--scorer", type=Path, help="score.py (default: the one beside the question file)")
    evaluate.add_argument("--answers", type=Path, help="also keep the answers in this file")
    evaluate.set_defaults(run=_eval)

    serve = commands.add_parser("serve", help="run the Teams bot (Bot Framework endpoint /api/messages)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3978)
    serve.set_defaults(run=_serve)

    manifest = commands.add_parser("manifest", help="write the Teams app package (zip) to upload")
    manifest.add_argument("--app-id", required=True, help="the bot's Microsoft App ID")
    manifest.add_argument("--out", type=Path, default=Path("strategibot-teams-app.zip"))
    manifest.set_defaults(run=_manifest)

    glossary = commands.add_parser("glossary", help="Swedish and English names of bodies, roles and terms")
    glossary.set_defaults(run=_glossary)

    register = commands.add_parser("responsibilities", help="who decides, is responsible for, leads ... what")
    register.add_argument("--format", choices=["table", "csv", "json"], default="table")
    register.set_defaults(run=_responsibilities)

    started = commands.add_parser("get-started", help="getting started as an international contact person")
    started.add_argument("--language", choices=["sv", "en"], default="sv")
    started.set_defaults(run=_get_started)

    forget = commands.add_parser("forget", help="delete a person's stored questions, feedback and chat context")
    forget.add_argument("--user", required=True, metavar="AAD_OBJECT_ID", help="the person's Entra object id")
    forget.set_defaults(run=_forget)

    report = commands.add_parser("report", help="unanswered questions and 👎 answers, grouped by topic")
    report.add_argument("--since", type=_iso_date, metavar="DATE", help="from this day on (YYYY-MM-DD)")
    report.add_argument("--format", choices=["table", "csv"], default="table")
    report.set_defaults(run=_report)
    return parser


def _iso_date(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


# --- commands --------------------------------------------------------------------------------------


def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    _purge_expired(settings)
    report = run_ingest(settings, create_embedder(settings), args.paths or None, show_progress=not args.quiet)
    for name, reason in report.failed:
        print(f"skipped {name}: {reason}", file=sys.stderr)
    print(report.summary())
    return 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    engine = open_engine(settings)
    if args.jsonl:
        for line in _answer_lines(engine, sys.stdin):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        return 0
    if not args.question:
        print("strategibot ask: give a QUESTION, or --jsonl to read questions from stdin", file=sys.stderr)
        return 2
    _show(engine, engine.ask(args.question, next_questions=True))
    return 0


def _answer_lines(engine: Engine, lines: TextIO) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise ValueError('expected an object with a "question" string')
        except ValueError as error:
            # One line out for every line in, so the caller's lines stay aligned.
            yield json.dumps({"id": None, "error": f"line {number}: {error}"}, ensure_ascii=False)
            continue
        conversation = item.get("conversation")
        began = time.perf_counter()
        answer = engine.ask(item["question"], str(conversation) if conversation is not None else None)
        latency_ms = (time.perf_counter() - began) * 1000
        yield json.dumps(answer_record(item.get("id"), answer, latency_ms), ensure_ascii=False)


def answer_record(item_id: object, answer: Answer, latency_ms: float) -> dict[str, object]:
    return {
        "id": item_id,
        "answer": answer.text,
        "abstained": answer.abstained,
        "sure": answer.sure and not answer.abstained,
        "citations": [
            {
                "document": c.document,
                "section": c.section,
                "quote": c.quote,
                "source": c.source,
                "score": c.score,
                "date": c.date,
            }
            for c in answer.citations
        ],
        "latency_ms": round(latency_ms, 2),
    }


def _show(engine: Engine, answer: Answer) -> None:
    documents = {d.doc_id: d for d in engine.documents()}
    print(render_answer(answer, documents, terminal_width()))


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    engine = open_engine(settings)
    documents = engine.documents()
    welcome = f"Strategibot — {len(documents)} dokument indexerade. Ställ en fråga (tom rad eller Ctrl-D avslutar)."
    print("\n".join(wrap_words(welcome, terminal_width())))
    conversation = f"terminal-{time.time_ns()}"
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            print()
            return 0
        if not sys.stdin.isatty():
            # Piped questions are not echoed: show each one, so the answer starts on a line of its own.
            print(question)
        if not question or question.lower() in {"exit", "quit", "avsluta"}:
            return 0
        _show(engine, engine.ask(question, conversation, next_questions=True))


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    scorer = args.scorer or args.questions.parent / "score.py"
    if not scorer.exists():
        print(f"strategibot eval: no scorer at {scorer}; pass --scorer PATH/score.py", file=sys.stderr)
        return 2
    engine = open_engine(settings)
    with args.questions.open(encoding="utf-8") as questions:
        lines = list(_answer_lines(engine, questions))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    if args.answers:
        Path(args.answers).write_text(Path(out.name).read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(scorer), str(args.questions), out.name], check=False)
    Path(out.name).unlink(missing_ok=True)
    return result.returncode


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.serving.server import serve

    serve(settings, host=args.host, port=args.port)
    return 0


def _manifest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.terminal.package import build_app_package

    path = build_app_package(args.app_id, args.out)
    print(f"Wrote {path}: upload it in Teams (Apps › Manage your apps › Upload an app).")
    return 0


def _glossary(settings: Settings, args: argparse.Namespace) -> int:
    from knowledge.retrieval.glossary import Glossary

    for term in Glossary.load().printable():
        print(f"{term.name:<36} {term.english_name:<40} {term.kind}")
    return 0


def _responsibilities(settings: Settings, args: argparse.Namespace) -> int:
    engine = open_engine(settings)
    records = engine.responsibilities()
    fields = ["actor", "action", "object", "scope", "document", "section", "date", "quote"]
    if args.format == "json":
        json.dump([{f: getattr(r, f) for f in fields} for r in records], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(fields)
        writer.writerows([getattr(r, f) for f in fields] for r in records)
    else:
        documents = {d.doc_id: d for d in engine.documents()}
        print(render_responsibilities(records, documents, terminal_width()))
    return 0


def _get_started(settings: Settings, args: argparse.Namespace) -> int:
    engine = open_engine(settings)
    _show(engine, engine.get_started(args.language))
    return 0


def _open_store(settings: Settings) -> Store:
    return Store.open(StoreSettings.from_env(settings.data_dir))


def _purge_expired(settings: Settings) -> None:
    """Retention is kept on every ingest too, so a store is purged even where no server runs for long."""
    try:
        store = _open_store(settings)
    except StoreUnavailable as error:
        print(f"strategibot: expired questions and feedback not deleted: {error}", file=sys.stderr)
        return
    try:
        store.purge_expired()
    finally:
        store.close()


def _forget(settings: Settings, args: argparse.Namespace) -> int:
    store = _open_store(settings)
    try:
        deleted = store.forget_user(args.user.strip())
    finally:
        store.close()
    print(f"Deleted {deleted.summary()} of that person.")
    return 0


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.content.owners_report import group_by_topic, render_report, report_items, write_csv

    store = _open_store(settings)
    try:
        since = args.since or ""
        questions, feedback = store.questions.all(since), store.feedback.all(since)
    finally:
        store.close()
    engine: Engine | None = None

    def closest_section(question: str) -> str | None:
        nonlocal engine
        engine = engine or open_engine(settings, show_progress=False)
        hits = engine.search(question, 1)
        return " – ".join(p for p in (hits[0].document, hits[0].section) if p) if hits else None

    groups = group_by_topic(report_items(questions, feedback, closest_section))
    if args.format == "csv":
        write_csv(groups, sys.stdout)
    else:
        print(render_report(groups, terminal_width(), since))
    return 0


if __name__ == "__main__":
    sys.exit(main())
