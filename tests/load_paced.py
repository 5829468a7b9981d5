"""Strategibot under a real day's load: `make load` (after the closed-loop run), or
`.venv/bin/python tests/load_paced.py [--json FILE] [--rate 15] [--seconds 60]`.

The production layout on this machine: a PostgreSQL server (the store, shared), a Chroma server (the
vectors, shared), one data folder, and two `strategibot serve` processes, each in local mode on its own
loopback port. A stand-in Bot Connector (a real aiohttp server) records every reply and when it arrived.

Questions come at a steady RATE per second, whoever is waiting (an open loop: a user does not wait for
somebody else's answer before asking), from CONVERSATIONS conversations in turn, drawn from
tests/bank/train.jsonl with a fixed seed. Question k goes to conversation k mod 50, and each round of 50
to the other instance, so a conversation moves between the instances as it would behind a load balancer
(its context is in PostgreSQL). A minute at 15 a second is 900 questions, 18 from each conversation.

Per question: the time from the POST to /api/messages until its answer reaches the connector (what the
user sees). Errors: non-2xx answers and questions without an answer (missing, "took too long" or the
apology). Targets: p95 <= 400 ms and no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from infra import postgres_server
from load import DEFAULT_BANK, LONG_CHARS, REPLY_WAIT_SECONDS, ask_one, corpus_text, counts, warm_up
from load_support import ConnectorStandIn, Spread, bank_questions, ingest, process_cpu_seconds, served_bot
from load_support import plan as draw_questions
from servers import chroma_server

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REPORT = REPO / "build" / "load-paced-report.json"
P95_LIMIT_MS = 400.0
CONVERSATIONS = 50
INSTANCES = 2


@dataclass(frozen=True)
class PacedResult:
    rate: float
    """Questions a second asked."""
    achieved_rate: float
    """Questions a second actually sent (the client keeps to the schedule unless the machine cannot)."""
    questions: int
    seconds: float
    answers: Spread
    per_instance: dict[str, int]
    replies: dict[str, int]
    non_2xx: int
    errors: int
    server_cpu_ms_per_question: float
    late_sends_ms: float
    """The latest a question was sent after its scheduled time."""

    @property
    def passed(self) -> bool:
        return self.errors == 0 and self.answers.p95_ms <= P95_LIMIT_MS


async def paced_run(
    urls: Sequence[str], pids: Sequence[int], connector: ConnectorStandIn, rate: float, seconds: float, seed: int
) -> PacedResult:
    total = round(rate * seconds)
    per_conversation = -(-total // CONVERSATIONS)
    lanes = draw_questions(
        bank_questions(DEFAULT_BANK), CONVERSATIONS, per_conversation, 0.0, "", LONG_CHARS, seed, "paced"
    )
    schedule = [lanes[k % CONVERSATIONS][k // CONVERSATIONS] for k in range(total)]
    timeout = aiohttp.ClientTimeout(total=REPLY_WAIT_SECONDS * 2)
    cpu_before = sum(process_cpu_seconds(pid) for pid in pids)
    late = 0.0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        loop = asyncio.get_running_loop()
        began = loop.time()
        tasks = []
        instances = []
        for k, ask in enumerate(schedule):
            due = began + k / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            late = max(late, loop.time() - due)
            instance = (k // CONVERSATIONS) % len(urls)
            instances.append(str(instance + 1))
            url = f"{urls[instance]}/api/messages"
            tasks.append(asyncio.create_task(ask_one(session, url, connector, ask, connector.url, expect_reply=True)))
        sent_seconds = loop.time() - began
        outcomes = await asyncio.gather(*tasks)
        elapsed = loop.time() - began
    cpu = sum(process_cpu_seconds(pid) for pid in pids) - cpu_before
    replies = counts([o.reply for o in outcomes])
    non_2xx = sum(not 200 <= o.status < 300 for o in outcomes)
    return PacedResult(
        rate=rate,
        achieved_rate=total / sent_seconds if sent_seconds else float("nan"),
        questions=total,
        seconds=elapsed,
        answers=Spread.of([o.reply_seconds for o in outcomes if o.reply_seconds is not None]),
        per_instance=counts(instances),
        replies=replies,
        non_2xx=non_2xx,
        errors=non_2xx + sum(o.reply != "answer" for o in outcomes),
        server_cpu_ms_per_question=cpu / total * 1000,
        late_sends_ms=late * 1000,
    )


async def measure(args: argparse.Namespace, root: Path) -> PacedResult:
    data_dir = root / "data"
    log = root / "bot.log"
    with postgres_server() as postgres, chroma_server(root / "chroma") as chroma_port:
        settings = {
            "STRATEGIBOT_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
            "STRATEGIBOT_DATABASE_URL": postgres.new_database(),
        }
        say("indexing the bundled corpus into the Chroma server")
        ingest(data_dir, log, **settings)
        connector = ConnectorStandIn()
        await connector.start()
        try:
            with (
                served_bot(data_dir, log, **settings) as (first_url, first_pid),
                served_bot(data_dir, log, **settings) as (second_url, second_pid),
            ):
                say(f"two instances at {first_url} and {second_url}; warming both up")
                for url in (first_url, second_url):
                    await warm_up(url, connector, bank_questions(DEFAULT_BANK), corpus_text())
                say(f"{args.rate:g} questions a second for {args.seconds:g} s from {CONVERSATIONS} conversations")
                return await paced_run(
                    (first_url, second_url), (first_pid, second_pid), connector, args.rate, args.seconds, args.seed
                )
        finally:
            await connector.close()


def markdown(r: PacedResult) -> str:
    verdict = "PASS" if r.passed else "FAIL"
    return "\n".join(
        [
            f"Paced load, two instances (PostgreSQL, Chroma server): {verdict}",
            "",
            "| measure | figure | target |",
            "|---|---|---|",
            f"| questions | {r.questions} at {r.rate:g}/s (sent at {r.achieved_rate:.1f}/s, at most "
            f"{r.late_sends_ms:.0f} ms late), instances {r.per_instance} | — |",
            f"| time to the answer | {r.answers.text()} | p95 ≤ {P95_LIMIT_MS:.0f} ms |",
            f"| errors | {r.errors} ({r.non_2xx} non-2xx; replies {r.replies}) | 0 |",
            f"| server CPU per question (both processes) | {r.server_cpu_ms_per_question:.1f} ms | — |",
        ]
    )


_BEGAN = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _BEGAN:6.1f} s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", type=Path, default=DEFAULT_REPORT, help=f"figures as JSON (default {DEFAULT_REPORT})")
    parser.add_argument("--rate", type=float, default=15.0, help="questions a second (default 15)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the questions come (default 60)")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="strategibot-load-paced-") as folder:
        result = asyncio.run(measure(args, Path(folder)))
    print(markdown(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**asdict(result), "passed": result.passed}, indent=1) + "\n", encoding="utf-8")
    return 1 if args.strict and not result.passed else 0


if __name__ == "__main__":
    sys.exit(main())
