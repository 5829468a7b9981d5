"""Helpers for tests/load.py: the Bot Connector stand-in, the served bot in its own process, the question
plan and the figures. Nothing here is a test; nothing here writes outside the folders it is given.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from bench_support import percentile
from servers import free_port, wait_for

# --- the Bot Connector stand-in ----------------------------------------------------------------------

STALLED_PREFIX = "/stalled"
"""serviceUrl path of the stalled conversations: the stand-in never answers a post under it."""


@dataclass(frozen=True)
class Delivery:
    """One activity the bot posted to the connector, and when it arrived."""

    conversation: str
    reply_to: str
    type: str
    text: str
    arrived: float
    """The event loop's clock when the stand-in had read it."""


class ConnectorStandIn:
    """A real aiohttp server on loopback speaking the Bot Connector's reply route.

    It records every post with its time of arrival and answers with an id, as the connector does; a post
    under STALLED_PREFIX is held open until the stand-in closes, like a connector that never answers.
    """

    def __init__(self) -> None:
        self.url = ""
        self.deliveries: list[Delivery] = []
        self.stalled_posts = 0
        self._expected: dict[tuple[str, str], asyncio.Future[Delivery]] = {}
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._count = 0

    async def start(self) -> str:
        app = web.Application(client_max_size=4 * 2**20)
        for prefix in ("", STALLED_PREFIX):
            handle = self._stall if prefix else self._deliver
            app.router.add_post(prefix + "/v3/conversations/{conversation}/activities", handle)
            app.router.add_post(prefix + "/v3/conversations/{conversation}/activities/{reply_to}", handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def expect(self, conversation: str, activity_id: str) -> asyncio.Future[Delivery]:
        """Resolves when the bot's message replying to ``activity_id`` arrives (typing is not a reply)."""
        future: asyncio.Future[Delivery] = asyncio.get_running_loop().create_future()
        self._expected[(conversation, activity_id)] = future
        return future

    def forget(self, conversation: str, activity_id: str) -> None:
        self._expected.pop((conversation, activity_id), None)

    async def _deliver(self, request: web.Request) -> web.Response:
        body = await request.json()
        arrived = asyncio.get_running_loop().time()
        conversation = request.match_info["conversation"]
        reply_to = request.match_info.get("reply_to") or str(body.get("replyToId") or "")
        delivery = Delivery(conversation, reply_to, str(body.get("type")), str(body.get("text") or ""), arrived)
        self.deliveries.append(delivery)
        future = self._expected.get((conversation, reply_to))
        if delivery.type == "message" and future is not None and not future.done():
            future.set_result(delivery)
        self._count += 1
        return web.json_response({"id": f"reply-{self._count}"})

    async def _stall(self, request: web.Request) -> web.Response:
        self.stalled_posts += 1
        await self._closing.wait()
        return web.Response(status=503)


# --- the bot in its own process ----------------------------------------------------------------------

_CREDENTIALS = ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId")


def bot_environment(data_dir: Path, **settings: str) -> dict[str, str]:
    """The caller's environment in local mode (no app id, so no authentication) on ``data_dir``, with
    ``settings`` (STRATEGIBOT_CHROMA_URL, STRATEGIBOT_DATABASE_URL ...) added."""
    env = {k: v for k, v in os.environ.items() if k not in _CREDENTIALS}
    env["STRATEGIBOT_DATA_DIR"] = str(data_dir)
    env["ANONYMIZED_TELEMETRY"] = "False"
    env.update(settings)
    return env


def strategibot_command() -> str:
    return str(Path(sys.executable).with_name("strategibot"))


def ingest(data_dir: Path, log: Path, **settings: str) -> None:
    """`strategibot ingest` of the bundled corpus into ``data_dir``."""
    with log.open("ab") as out:
        done = subprocess.run(
            [strategibot_command(), "ingest", "--quiet"],
            env=bot_environment(data_dir, **settings),
            stdout=out,
            stderr=out,
            check=False,
            timeout=900,
        )
    if done.returncode != 0:
        raise RuntimeError(f"strategibot ingest failed ({done.returncode}); see {log}")


@contextmanager
def served_bot(data_dir: Path, log: Path, wrapper: Sequence[str] = (), **settings: str) -> Iterator[tuple[str, int]]:
    """`strategibot serve` on a free loopback port: yields its base URL and the pid of the server process
    (``wrapper``, e.g. a profiler's command line, is put before the command)."""
    port = free_port()
    command = [*wrapper, strategibot_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=bot_environment(data_dir, **settings), stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    pid = process.pid
    try:
        wait_for(f"{url}/healthz", process, seconds=120)
        pid = server_pid(process.pid)
        yield url, pid
    finally:
        # SIGINT, as Ctrl-C would: a profiler given as wrapper writes its report then; the server stops on it.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if pid != process.pid:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


def server_pid(started: int) -> int:
    """The pid of the server: ``started`` itself, or its child when a wrapper started it."""
    children = Path(f"/proc/{started}/task/{started}/children")
    try:
        found = children.read_text().split()
    except OSError:
        return started
    return int(found[0]) if found else started


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its threads so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# --- what is asked -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    conversation: str
    activity_id: str
    text: str
    locale: str
    long: bool


def bank_questions(path: Path) -> list[tuple[str, str]]:
    """(question, language) of every line of a question-bank file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            rows.append((str(item["question"]), str(item.get("lang") or "sv")))
    return rows


def padded(question: str, corpus_text: str, rng: random.Random, chars: int) -> str:
    """``question`` followed by a stretch of corpus text, ``chars`` characters in all: pasted text, the way
    staff paste a paragraph and ask about it."""
    start = rng.randrange(max(1, len(corpus_text) - chars))
    return f"{question}\n\n{corpus_text[start : start + chars]}"[:chars]


def plan(
    questions: Sequence[tuple[str, str]],
    conversations: int,
    per_conversation: int,
    long_share: float,
    corpus_text: str,
    long_chars: int,
    seed: int,
    prefix: str,
) -> list[list[Ask]]:
    """``conversations`` × ``per_conversation`` questions drawn from the bank, round(long_share × all) of them,
    at places drawn too, padded to ``long_chars``. The same seed gives the same plan."""
    rng = random.Random(seed)
    total = conversations * per_conversation
    long_places = set(rng.sample(range(total), round(long_share * total)))
    lanes: list[list[Ask]] = []
    for c in range(conversations):
        lane = []
        for q in range(per_conversation):
            text, language = rng.choice(questions)
            is_long = c * per_conversation + q in long_places
            if is_long:
                text = padded(text, corpus_text, rng, long_chars)
            locale = "en-US" if language == "en" else "sv-SE"
            lane.append(Ask(f"{prefix}-{c:03d}", f"{prefix}-{c:03d}-{q:03d}", text, locale, is_long))
        lanes.append(lane)
    return lanes


def activity(ask: Ask, service_url: str) -> dict[str, object]:
    """A Teams message from a user in a 1:1 chat, as tests/bot/bot_helpers.py builds them."""
    return {
        "type": "message",
        "id": ask.activity_id,
        "timestamp": "2026-01-01T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{ask.conversation}", "name": "Load Test", "aadObjectId": f"aad-{ask.conversation}"},
        "conversation": {"id": ask.conversation, "conversationType": "personal", "tenantId": "t-load"},
        "recipient": {"id": "28:strategibot", "name": "Strategibot"},
        "locale": ask.locale,
        "text": ask.text,
        "textFormat": "plain",
        "channelData": {"tenant": {"id": "t-load"}},
    }


# --- figures -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Latencies in milliseconds."""

    samples: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Spread:
        if not seconds:
            return cls(0, float("nan"), float("nan"), float("nan"), float("nan"))
        ms = sorted(s * 1000 for s in seconds)
        return cls(len(ms), percentile(ms, 50), percentile(ms, 95), percentile(ms, 99), ms[-1])

    def text(self) -> str:
        if not self.samples:
            return "none"
        return (
            f"p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, p99 {self.p99_ms:.0f} ms, "
            f"max {self.max_ms:.0f} ms (n={self.samples})"
        )
