"""`make run`: the bot on 127.0.0.1 plus the Microsoft 365 Agents Playground, a local Teams client, pointed
at it. Prints the URL to open. Without Node or the npm packages it says how to get them and runs the bot
alone. Ctrl-C stops both.

    python -m bot.terminal.run_local [--port 3978] [--playground-port 56150]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND_CLI = ROOT / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
BOT_START_SECONDS = 300.0
"""The first start builds the index from the bundled corpus, which takes a while on a small machine."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.terminal.run_local", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3978, help="the bot's port")
    parser.add_argument("--playground-port", type=int, default=56150)
    args = parser.parse_args(argv)
    # The children run in their own sessions (so a terminal's Ctrl-C reaches only this script, which then
    # stops them in order); make SIGTERM and SIGHUP go through the same clean-up.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)

    bot = subprocess.Popen(
        [sys.executable, "-m", "bot.terminal.cli", "serve", "--host", "127.0.0.1", "--port", str(args.port)],
        cwd=ROOT,
        start_new_session=True,
    )
    processes = [bot]
    try:
        if not _wait_for(f"http://127.0.0.1:{args.port}/healthz", bot, BOT_START_SECONDS):
            print("run_local: the bot did not start; see the messages above.", file=sys.stderr)
            return 1
        missing = _playground_missing()
        if missing:
            print(
                f"\nThe bot is running at http://127.0.0.1:{args.port}/api/messages, but the Teams-like chat "
                f"needs {missing}.\nInstall Node.js 20+ (apt-get install nodejs npm), run `npm ci` here, and "
                "`make run` again. Ctrl-C stops the bot.\n",
                file=sys.stderr,
            )
        else:
            playground = subprocess.Popen(
                [
                    "node",
                    str(PLAYGROUND_CLI),
                    "start",
                    "-e",
                    f"http://127.0.0.1:{args.port}/api/messages",
                    "-c",
                    "msteams",
                    "-p",
                    str(args.playground_port),
                    "--disable-telemetry",
                ],
                cwd=ROOT,
                env={**os.environ, "TEAMSAPPTESTER_BROWSER": "none"},
                start_new_session=True,
                stdout=subprocess.DEVNULL,
            )
            processes.append(playground)
            if _wait_for(f"http://127.0.0.1:{args.playground_port}/", playground, 60):
                print(
                    f"\n  Strategibot in a Teams-like chat:  http://localhost:{args.playground_port}\n"
                    "  (Microsoft 365 Agents Playground; each page load starts a new chat with the welcome card.)"
                    "\n  Ctrl-C stops the bot and the playground.\n",
                    flush=True,
                )
            else:
                print("run_local: the playground did not start; the bot keeps running.", file=sys.stderr)
        while all(p.poll() is None for p in processes[:1]):
            time.sleep(0.5)
        return bot.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        for process in reversed(processes):
            _stop(process)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _playground_missing() -> str | None:
    if shutil.which("node") is None:
        return "Node.js"
    if not PLAYGROUND_CLI.exists():
        return "the npm packages (npm ci)"
    return None


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the process group this script started, politely first."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit(main())
