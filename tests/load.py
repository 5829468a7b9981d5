"""Strategibot load benchmark: `make load`, or `.venv/bin/python tests/load.py [--json FILE] [--runs N]`.

What a Teams user sees when many ask at once. In a temporary data folder (removed at the end) it indexes the
bundled corpus with `strategibot ingest`, starts the real `strategibot serve` in its own process on a free
loopback port (local mode: no app id, no authentication) and, in this process, a stand-in Bot Connector (a
real aiohttp server on loopback) that records every reply and when it arrived. Then:

* 50 conversations at once, each asking 20 questions one after the other, the next as soon as the answer to
  the last has arrived (a closed loop: each conversation is a user who reads fast). Questions are drawn
  from tests/bank/train.jsonl with a fixed seed; 5 % of them (at places drawn too) are long: the question
  followed by corpus text, 3,990 characters in all, the way staff paste a paragraph and ask about it.
* 2 more conversations whose serviceUrl points at a connector path that never answers: they ask all the
  while, and their replies stall until the bot's connector timeout.

Per question: the time from the POST to /api/messages to the reply's arrival at the connector (what the user
sees, be it the answer or "took too long"; the typing indicator before it does not count), and the HTTP
status. Errors are non-2xx answers, and normal questions without an answer (missing, or "took too long", or
the apology). Throughput is every POST answered during the run divided by the run's time (the first POST to
the last normal conversation's last answer). The server's CPU time per request comes from /proc, as does
the CPU that other processes took meanwhile ("others' CPU"; this benchmark's own client and connector
stand-in are counted apart).

Targets (PASS/FAIL): no errors and every normal question answered; normal questions p95 <= 150 ms;
throughput >= 114 requests/s (1.5 × 76). With --runs N the run is repeated on the same server and the one
in which other processes took the least CPU is reported. --strict exits 1 when a target fails.

In a closed loop the mean time to an answer is the number of conversations divided by the throughput
(Little's law): 50 conversations answered at p95 <= 150 ms need well over 333 requests/s, whatever the bot.
--think S makes each conversation pause S seconds between an answer and its next question: a paced load,
for the latency at a given rate rather than at saturation.

Where the server's time goes: --wrap puts a command before `strategibot serve`, e.g.
`--wrap ".venv/bin/py-spy record --rate 50 --threads --format raw --output serve.txt --"` (py-spy is not a
dependency of the project; `pip install py-spy`). The server is stopped with SIGINT, so the profiler writes
its report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from load_support import (
    STALLED_PREFIX,
    Ask,
    ConnectorStandIn,
    Spread,
    activity,
    bank_questions,
    ingest,
    machine_busy_seconds,
    plan,
    process_cpu_seconds,
    served_bot,
)

from bot.teams.texts import texts_for
from knowledge.settings import BUNDLED_CORPUS

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BANK = REPO / "tests" / "bank" / "train.jsonl"
DEFAULT_REPORT = REPO / "build" / "load-report.json"
KEPT_EMBEDDINGS = REPO / "build" / "load-embeddings.sqlite"

P95_LIMIT_MS = 150.0
BASELINE_REQUESTS_PER_SECOND = 76.0
THROUGHPUT_LIMIT = 1.5 * BASELINE_REQUESTS_PER_SECOND
LONG_CHARS = 3990
"""Just under the bot's 4,000-character limit for a message (bot.teams.handler.MAX_MESSAGE_CHARS)."""
REPLY_WAIT_SECONDS = 30.0
"""How long a question may wait for its answer before it counts as missing (Teams gives up after 15 s)."""

_BEGAN = time.perf_counter()


def say(message: str) -> None:
    print(f"[load {time.perf_counter() - _BEGAN:6.1f} s] {message}", file=sys.stderr, flush=True)


# --- one question, one conversation -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    conversation: str
    kind: str
    """normal, long or stalled."""
    status: int
    """HTTP status of the POST; 0 when the POST itself failed."""
    http_seconds: float
    reply_seconds: float | None
    """POST to the answer's arrival at the connector; None when no answer arrived."""
    reply: str
    """answer, took_too_long, apology, or none."""


def reply_kind(text: str) -> str:
    for language in ("sv", "en"):
        texts = texts_for(language)
        if text == texts.took_too_long:
            return "took_too_long"
        if text.startswith(texts.error.split("{", 1)[0]):
            return "apology"
    return "answer"


async def ask_one(
    session: aiohttp.ClientSession,
    messages_url: str,
    connector: ConnectorStandIn,
    ask: Ask,
    service_url: str,
    expect_reply: bool,
) -> Outcome:
    loop = asyncio.get_running_loop()
    arrival = connector.expect(ask.conversation, ask.activity_id) if expect_reply else None
    kind = "stalled" if not expect_reply else "long" if ask.long else "normal"
    began = loop.time()
    try:
        async with session.post(messages_url, json=activity(ask, service_url)) as response:
            await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError):
        status = 0
    http_seconds = loop.time() - began
    if arrival is None:
        return Outcome(ask.conversation, kind, status, http_seconds, None, "none")
    try:
        left = max(REPLY_WAIT_SECONDS - http_seconds, 0.001) if 200 <= status < 300 else 0.001
        delivery = await asyncio.wait_for(arrival, left)
    except TimeoutError:
        connector.forget(ask.conversation, ask.activity_id)
        return Outcome(ask.conversation, kind, status, http_seconds, None, "none")
    connector.forget(ask.conversation, ask.activity_id)
    return Outcome(ask.conversation, kind, status, http_seconds, delivery.arrived - began, reply_kind(delivery.text))


async def converse(
    session: aiohttp.ClientSession,
    messages_url: str,
    connector: ConnectorStandIn,
    asks: Sequence[Ask],
    service_url: str,
    outcomes: list[Outcome],
    progress: Progress,
    think_seconds: float = 0.0,
) -> None:
    for number, ask in enumerate(asks):
        if number and think_seconds:
            await asyncio.sleep(think_seconds)
        outcomes.append(await ask_one(session, messages_url, connector, ask, service_url, expect_reply=True))
        progress.tick()


@dataclass
class StalledLog:
    started: int = 0
    outcomes: list[Outcome] = field(default_factory=list)


async def stall(
    session: aiohttp.ClientSession, messages_url: str, connector: ConnectorStandIn, asks: Sequence[Ask], log: StalledLog
) -> None:
    """Ask on and on (until cancelled) in a conversation whose connector never answers."""
    service_url = connector.url + STALLED_PREFIX
    for ask in asks:
        log.started += 1
        log.outcomes.append(await ask_one(session, messages_url, connector, ask, service_url, expect_reply=False))


@dataclass
class Progress:
    total: int
    done: int = 0
    step: int = field(default=100)

    def tick(self) -> None:
        self.done += 1
        if self.done % self.step == 0 or self.done == self.total:
            say(f"{self.done}/{self.total} questions answered")


# --- one run ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    conversations: int
    questions: int
    long_share: float
    stalled: int
    seed: int
    think_seconds: float
    """Pause of each conversation between an answer and its next question; 0 is a closed loop at full speed."""


@dataclass(frozen=True)
class RunResult:
    run: int
    seconds: float
    requests: int
    requests_per_second: float
    normal: Spread
    normal_http: Spread
    long: Spread
    long_replies: dict[str, int]
    normal_replies: dict[str, int]
    non_2xx: int
    missing: int
    """Normal questions without an answer: no reply, or took too long, or the apology."""
    stalled_posts: int
    """POSTs the stalled conversations sent during the run, those still waiting at its end included."""
    stalled_answered: int
    stalled_reply_attempts: int
    """Replies the bot tried to send to the connector path that never answers."""
    stalled_http: Spread
    stalled_statuses: dict[str, int]
    server_cpu_ms_per_request: float
    server_cpu_share: float
    """The server's CPU time over the machine's capacity during the run (1.0 = every core busy)."""
    client_cpu_share: float
    """This process (the 50 clients and the connector stand-in) on the same cores."""
    others_cpu_share: float
    load_before: str
    load_after: str


def counts(values: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for value in values:
        found[value] = found.get(value, 0) + 1
    return dict(sorted(found.items()))


async def one_run(
    number: int,
    bot_url: str,
    server_pid: int,
    connector: ConnectorStandIn,
    config: Config,
    questions: Sequence[tuple[str, str]],
    corpus_text: str,
) -> RunResult:
    seed = config.seed + number
    lanes = plan(
        questions,
        config.conversations,
        config.questions,
        config.long_share,
        corpus_text,
        LONG_CHARS,
        seed,
        f"run{number}",
    )
    stalled_lanes = plan(questions, config.stalled, 1000, 0.0, corpus_text, LONG_CHARS, seed, f"stalled{number}")
    messages_url = f"{bot_url}/api/messages"
    outcomes: list[Outcome] = []
    stalled_log = StalledLog()
    progress = Progress(config.conversations * config.questions)
    cores = os.cpu_count() or 1
    timeout = aiohttp.ClientTimeout(total=REPLY_WAIT_SECONDS * 2)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        load_before = f"{os.getloadavg()[0]:.1f}"
        stalled_attempts_before = connector.stalled_posts
        machine, server, own = machine_busy_seconds(), process_cpu_seconds(server_pid), _own_cpu()
        began = time.perf_counter()
        stallers = [
            asyncio.create_task(stall(session, messages_url, connector, lane, stalled_log)) for lane in stalled_lanes
        ]
        await asyncio.gather(
            *(
                converse(
                    session, messages_url, connector, lane, connector.url, outcomes, progress, config.think_seconds
                )
                for lane in lanes
            )
        )
        seconds = time.perf_counter() - began
        machine = machine_busy_seconds() - machine
        server = process_cpu_seconds(server_pid) - server
        own = _own_cpu() - own
        load_after = f"{os.getloadavg()[0]:.1f}"
        for task in stallers:
            task.cancel()
        await asyncio.gather(*stallers, return_exceptions=True)
    capacity = seconds * cores
    normal = [o for o in outcomes if o.kind == "normal"]
    long = [o for o in outcomes if o.kind == "long"]
    stalled = stalled_log.outcomes
    answered = len(outcomes) + len(stalled)
    return RunResult(
        run=number,
        seconds=seconds,
        requests=answered,
        requests_per_second=answered / seconds,
        # Whatever reply the user got, an answer or "took too long": leaving the latter out would flatter p95.
        normal=Spread.of([o.reply_seconds for o in normal if o.reply_seconds is not None]),
        normal_http=Spread.of([o.http_seconds for o in normal if 200 <= o.status < 300]),
        long=Spread.of([o.reply_seconds for o in long if o.reply_seconds is not None]),
        long_replies=counts([o.reply for o in long]),
        normal_replies=counts([o.reply for o in normal]),
        non_2xx=sum(not 200 <= o.status < 300 for o in [*outcomes, *stalled]),
        missing=sum(o.reply != "answer" for o in normal),
        stalled_posts=stalled_log.started,
        stalled_reply_attempts=connector.stalled_posts - stalled_attempts_before,
        stalled_answered=sum(200 <= o.status < 300 for o in stalled),
        stalled_http=Spread.of([o.http_seconds for o in stalled]),
        stalled_statuses=counts([str(o.status) for o in stalled]),
        server_cpu_ms_per_request=server / answered * 1000 if answered else float("nan"),
        server_cpu_share=server / capacity,
        client_cpu_share=own / capacity,
        others_cpu_share=max(machine - server - own, 0.0) / capacity,
        load_before=load_before,
        load_after=load_after,
    )


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


async def warm_up(
    bot_url: str, connector: ConnectorStandIn, questions: Sequence[tuple[str, str]], corpus_text: str
) -> None:
    """A few questions, one long, before timing: the model, the worker threads and the connections."""
    lanes = plan(questions, 4, 5, 0.05, corpus_text, LONG_CHARS, 0, "warm")
    outcomes: list[Outcome] = []
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(
            *(
                converse(
                    session,
                    f"{bot_url}/api/messages",
                    connector,
                    lane,
                    connector.url,
                    outcomes,
                    Progress(20, step=1000),
                )
                for lane in lanes
            )
        )
    failed = [o for o in outcomes if o.reply != "answer"]
    if failed:
        raise RuntimeError(f"warm-up: {len(failed)} of {len(outcomes)} questions got no answer: {failed[:3]}")


# --- judging and reporting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    limit: str
    passed: bool


def judge(r: RunResult, normal: int) -> tuple[Target, ...]:
    return (
        Target(
            "errors; normal questions answered",
            f"{r.non_2xx + r.missing} errors; {normal - r.missing}/{normal} answered",
            "0 errors; all answered",
            r.non_2xx + r.missing == 0,
        ),
        Target(
            "normal questions p95, POST to reply at connector",
            f"{r.normal.p95_ms:.0f} ms",
            f"≤ {P95_LIMIT_MS:.0f} ms",
            r.normal.p95_ms <= P95_LIMIT_MS,
        ),
        Target(
            "throughput, all requests",
            f"{r.requests_per_second:.1f} requests/s",
            f"≥ {THROUGHPUT_LIMIT:.0f} requests/s",
            r.requests_per_second >= THROUGHPUT_LIMIT,
        ),
    )


def markdown(r: RunResult, targets: Sequence[Target], config: Config, environment: dict[str, str]) -> str:
    def verdict(t: Target) -> str:
        return f"{t.limit} ({'PASS' if t.passed else 'FAIL'})"

    stalled = (
        f"{r.stalled_posts} questions in {config.stalled} conversations, {r.stalled_answered} answered "
        f"(HTTP {', '.join(f'{k}×{v}' for k, v in r.stalled_statuses.items()) or '–'}) after "
        f"{r.stalled_http.p50_ms / 1000:.1f} s (p50); {r.stalled_reply_attempts} replies stalled"
    )
    long_replies = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in r.long_replies.items())
    rows = [
        ("errors (non-2xx; normal questions without an answer)", targets[0].measured, verdict(targets[0])),
        (
            "normal questions, POST → reply at the connector",
            f"p50 {r.normal.p50_ms:.0f} ms, p95 {r.normal.p95_ms:.0f} ms, p99 {r.normal.p99_ms:.0f} ms",
            verdict(targets[1]),
        ),
        (
            f"long questions ({LONG_CHARS:,} characters)",
            f"p50 {r.long.p50_ms:.0f} ms, p95 {r.long.p95_ms:.0f} ms, p99 {r.long.p99_ms:.0f} ms; {long_replies}",
            "—",
        ),
        (
            "throughput (every POST answered / run time)",
            f"{r.requests_per_second:.1f} requests/s ({r.requests} in {r.seconds:.1f} s)",
            verdict(targets[2]),
        ),
        ("stalled conversations (connector never answers)", stalled, "—"),
        (
            f"CPU during the run (share of {environment['cores']} cores)",
            f"server {r.server_cpu_share:.0%} ({r.server_cpu_ms_per_request:.1f} ms CPU per request), "
            f"clients + connector {r.client_cpu_share:.0%}, other processes {r.others_cpu_share:.0%}; "
            f"load average {r.load_before} → {r.load_after}",
            "—",
        ),
    ]
    pace = f", {config.think_seconds:g} s between questions" if config.think_seconds else ""
    header = [
        f"{config.conversations} conversations × {config.questions} questions ({config.long_share:.0%} long{pace}) "
        f"+ {config.stalled} stalled, Python {environment['python']}, {environment['cores']} cores:",
        "",
        "| measure | figure | target |",
        "|---|---|---|",
    ]
    return "\n".join([*header, *(f"| {a} | {b} | {c} |" for a, b, c in rows)])


def summary_line(r: RunResult, targets: Sequence[Target], runs: int) -> str:
    passed = sum(t.passed for t in targets)
    return (
        f"load: {'PASS' if passed == len(targets) else 'FAIL'} {passed}/{len(targets)} · "
        f"{r.non_2xx + r.missing} errors · normal p50/p95/p99 {r.normal.p50_ms:.0f}/{r.normal.p95_ms:.0f}/"
        f"{r.normal.p99_ms:.0f} ms · long p50 {r.long.p50_ms:.0f} ms · {r.requests_per_second:.1f} requests/s"
        f" · others took {r.others_cpu_share:.0%} of the CPU, load {r.load_before} · run {r.run} of {runs}"
    )


# --- main -----------------------------------------------------------------------------------------------


def corpus_text() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(BUNDLED_CORPUS.iterdir()) if p.suffix in (".txt", ".md")]
    return "\n\n".join(texts)


def index_with_kept_embeddings(data_dir: Path, log: Path) -> None:
    """`strategibot ingest`, with the embedding cache of the last run copied in first and kept after: the
    corpus is embedded once (a minute on a busy machine), not at every run. The cache is keyed by content,
    so a changed corpus or model is embedded again."""
    cache = data_dir / "embeddings.sqlite"
    data_dir.mkdir(parents=True, exist_ok=True)
    if KEPT_EMBEDDINGS.exists():
        shutil.copyfile(KEPT_EMBEDDINGS, cache)
    ingest(data_dir, log)
    KEPT_EMBEDDINGS.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cache, KEPT_EMBEDDINGS)


async def measure(args: argparse.Namespace, root: Path) -> tuple[list[RunResult], Config]:
    config = Config(args.conversations, args.questions, args.long_share, args.stalled, args.seed, args.think)
    questions = bank_questions(args.bank)
    text = corpus_text()
    data_dir = args.data_dir or root / "data"
    log = root / "bot.log" if args.log is None else args.log
    if args.data_dir is None:
        say(f"indexing the bundled corpus into {data_dir}")
        index_with_kept_embeddings(data_dir, log)
    connector = ConnectorStandIn()
    await connector.start()
    wrapper = args.wrap.split() if args.wrap else ()
    results: list[RunResult] = []
    try:
        with served_bot(data_dir, log, wrapper) as (bot_url, pid):
            say(f"bot at {bot_url} (pid {pid}), connector stand-in at {connector.url}; warming up")
            await warm_up(bot_url, connector, questions, text)
            for number in range(1, args.runs + 1):
                say(
                    f"run {number}/{args.runs}: {config.conversations} conversations × {config.questions} "
                    f"questions + {config.stalled} stalled; load average {os.getloadavg()[0]:.1f}"
                )
                result = await one_run(number, bot_url, pid, connector, config, questions, text)
                say(summary_line(result, judge(result, normal_total(result)), args.runs))
                results.append(result)
                if number < args.runs:
                    await asyncio.sleep(args.pause)
    finally:
        await connector.close()
    return results, config


def normal_total(r: RunResult) -> int:
    return sum(r.normal_replies.values())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", type=Path, default=DEFAULT_REPORT, help=f"figures as JSON (default {DEFAULT_REPORT})")
    parser.add_argument("--runs", type=int, default=1, help="runs on the same server; the quietest is reported")
    parser.add_argument("--pause", type=float, default=10.0, help="seconds between runs (default 10)")
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20, help="questions per conversation (default 20)")
    parser.add_argument("--long-share", type=float, default=0.05, help="share of long questions (default 0.05)")
    parser.add_argument("--stalled", type=int, default=2, help="conversations whose connector never answers")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds each conversation waits between an answer and its next question (default 0)",
    )
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--bank", type=Path, default=DEFAULT_BANK, help="questions (question-bank JSON lines)")
    parser.add_argument("--data-dir", type=Path, help="use this indexed data folder instead of indexing anew")
    parser.add_argument("--log", type=Path, help="the bot's output (default: in the temporary folder)")
    parser.add_argument("--wrap", help="command put before `strategibot serve`, e.g. a profiler's")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="strategibot-load-") as folder:
        results, config = asyncio.run(measure(args, Path(folder)))
    kept = min(results, key=lambda r: r.others_cpu_share)
    targets = judge(kept, normal_total(kept))
    environment = {
        "python": platform.python_version(),
        "cores": str(os.cpu_count()),
        "omp_threads": os.environ.get("OMP_NUM_THREADS", ""),
    }
    print(markdown(kept, targets, config, environment))
    print()
    print(summary_line(kept, targets, len(results)))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "config": asdict(config),
        "environment": environment,
        "kept_run": kept.run,
        "targets": [asdict(t) for t in targets],
        "runs": [asdict(r) for r in results],
    }
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 1 if args.strict and not all(t.passed for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
