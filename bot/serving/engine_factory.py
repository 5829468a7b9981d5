"""Opens the answering engine for a surface, building the index from the bundled corpus on first use."""

from __future__ import annotations

import logging

from ingest.pipeline import run_ingest
from knowledge.conversations import ConversationStore
from knowledge.engine import Engine, index_exists
from knowledge.index.embedders import create_embedder
from knowledge.settings import Settings

log = logging.getLogger(__name__)


def open_engine(
    settings: Settings,
    show_progress: bool = True,
    *,
    memory: ConversationStore | None = None,
    serving: bool = False,
) -> Engine:
    """``memory`` keeps each conversation's last turn for follow-ups (default: in this process).
    ``serving``: the engine serves this process for its whole life (Engine's ``settle_heap``)."""
    embedder = create_embedder(settings)
    if not index_exists(settings):
        log.warning("no index yet in %s: building it from the bundled corpus", settings.index_dir)
        report = run_ingest(settings, embedder, show_progress=show_progress)
        log.warning("%s", report.summary())
    return Engine.open(settings, embedder, memory=memory, settle_heap=serving)
