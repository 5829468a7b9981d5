"""The question bank's measures, computed the way the development set's scorer computes them.

source@1 / source@3: the question's source passage is quoted by the first / one of the first three
citations; answer: every expected group has a string in the answer text; abstain: the share of
unanswerable questions that were declined or answered as unsure; declined: the share of them declined
outright ("not in the documents"); false abstentions: answerable questions that were declined.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


@dataclass(frozen=True)
class Figures:
    answerable: int
    unanswerable: int
    source_at_1: float
    source_at_3: float
    answer: float
    abstain: float
    false_abstentions: int
    median_chars: float
    sure_precision: float = 0.0
    """Of the answers given as sure, the share that answer an answerable question with every expected string."""
    sure_coverage: float = 0.0
    """Of the answerable questions, the share that get such a right, sure answer."""
    declined: float = 0.0
    """Of the unanswerable questions, the share declined outright, not answered as unsure."""

    @property
    def false_abstention_rate(self) -> float:
        return self.false_abstentions / self.answerable if self.answerable else 0.0

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "false_abstention_rate": round(self.false_abstention_rate, 4)}

    def line(self) -> str:
        return (
            f"source@1={self.source_at_1:.2f} source@3={self.source_at_3:.2f} answer={self.answer:.2f} "
            f"abstain={self.abstain:.2f} false_abstain={self.false_abstentions}/{self.answerable} "
            f"median_chars={self.median_chars:.0f} n={self.answerable}+{self.unanswerable} "
            f"sure_precision={self.sure_precision:.2f} sure_coverage={self.sure_coverage:.2f}"
        )


def sources(question: dict) -> list[str]:
    """The passages that answer a question: one, or one per document where several state the fact."""
    source = question.get("source") or []
    return [norm(s) for s in (source if isinstance(source, list) else [source]) if s]


def holds_source(question: dict, quote: str | None) -> bool:
    quoted = norm(quote)
    return any(source in quoted for source in sources(question))


def answers_of(engine: Any, questions: Sequence[dict], prefix: str) -> dict[str, dict]:
    """Ask every question, conversations in order under ``prefix``, in the scorer's answer format."""
    out = {}
    for q in questions:
        conversation = f"{prefix}:{q['conversation']}" if q.get("conversation") else None
        answer = engine.ask(q["question"], conversation)
        out[q["id"]] = {
            "answer": answer.text,
            "abstained": answer.abstained,
            "sure": answer.sure and not answer.abstained,
            "citations": [{"quote": c.quote} for c in answer.citations],
        }
    return out


def figures(questions: Sequence[dict], answers: dict[str, dict]) -> Figures:
    s1 = s3 = good = declined_right = declined = false_abstentions = answerable = unanswerable = sure = sure_right = 0
    lengths: list[int] = []
    for q in questions:
        answer = answers[q["id"]]
        # As the scorer counts: an unsure answer declines an unanswerable question, and is not a false
        # abstention on an answerable one.
        is_sure = answer.get("abstained") is not True and answer.get("sure", True) is not False
        sure += is_sure
        if q.get("abstain"):
            unanswerable += 1
            declined_right += not is_sure
            declined += bool(answer.get("abstained"))
            continue
        answerable += 1
        lengths.append(len(answer.get("answer") or ""))
        false_abstentions += bool(answer.get("abstained"))
        hits = [holds_source(q, c.get("quote")) for c in (answer.get("citations") or [])[:3]]
        s1 += bool(hits and hits[0])
        s3 += any(hits)
        text = norm(answer.get("answer"))
        right = all(any(norm(alt) in text for alt in group) for group in q.get("expect", []))
        good += right
        sure_right += right and is_sure

    def share(x: int, n: int) -> float:
        return x / n if n else 0.0

    return Figures(
        answerable=answerable,
        unanswerable=unanswerable,
        source_at_1=share(s1, answerable),
        source_at_3=share(s3, answerable),
        answer=share(good, answerable),
        abstain=share(declined_right, unanswerable),
        false_abstentions=false_abstentions,
        median_chars=statistics.median(lengths) if lengths else 0.0,
        sure_precision=share(sure_right, sure),
        sure_coverage=share(sure_right, answerable),
        declined=share(declined, unanswerable),
    )
