"""`strategibot serve` as a real process, for the tests that kill it or run two of it side by side."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from servers import free_port

STRATEGIBOT = str(Path(sys.executable).with_name("strategibot"))
START_SECONDS = 300.0
"""A first start builds the index from the bundled corpus (embeddings come from the warm cache)."""


def serve_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The process environment for a bot in local mode on ``data_dir``, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "STRATEGIBOT_", "CHROMA_"))}
    env.update({"STRATEGIBOT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **settings})
    return env


@dataclass
class ServeProcess:
    process: subprocess.Popen
    url: str
    log_path: Path

    @property
    def messages_url(self) -> str:
        return f"{self.url}/api/messages"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flushing, as when a container is killed."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


async def start_serve(env: dict[str, str], log_path: Path) -> ServeProcess:
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [STRATEGIBOT, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    served = ServeProcess(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + START_SECONDS
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"strategibot serve exited with {process.returncode}:\n{served.log()}")
            try:
                async with session.get(f"{served.url}/healthz", timeout=aiohttp.ClientTimeout(total=5)) as response:
                    if response.status == 200:
                        return served
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.3)
    served.stop()
    raise TimeoutError(f"strategibot serve did not answer /healthz in {START_SECONDS} s:\n{served.log()}")


async def post_activity(session: aiohttp.ClientSession, bot: ServeProcess, activity: dict[str, Any]) -> int:
    async with session.post(bot.messages_url, json=activity) as response:
        await response.read()
        return response.status


def run_cli(env: dict[str, str], *arguments: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [STRATEGIBOT, *arguments], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
