"""The one error a loader raises: a document that cannot be turned into text."""

from __future__ import annotations

from pathlib import Path


class UnreadableDocument(Exception):
    """A document that cannot be read, with a message that names the file and the reason.

    Ingest collects these per file instead of stopping, so the message must make sense on its own
    in a report line, e.g. "rapport.pdf: the PDF is encrypted (password-protected)".
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


def describe_exception(exc: BaseException) -> str:
    """A short, single-line description of a library exception, for use inside a reason."""
    message = " ".join(str(exc).split())
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
