"""`strategibot report`: what content owners should look at — the questions the documents did not answer,
those answered only with the closest passages (unsure), and the answers people gave a 👎 — grouped by topic.

The topic is a document section: for an unsure or 👎 answer, the first section it cited; for an unanswered
question (or a 👎 whose answer is no longer known), the section of the passage closest to the question, as
the quick search finds it. Questions near the same section land together, which is where text is missing or
unclear.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TextIO

from bot.store.feedback import FeedbackRecord
from bot.store.questions import QuestionRecord
from bot.terminal.text_table import wrap_words

ItemKind = Literal["unanswered", "unsure", "disliked"]
NO_CLOSE_SECTION = "(no section close to the question)"
_SOURCE_LINE = re.compile(r"^\[\d+\]\s*(?P<where>.*?)\s*(\([^()]*\))?$")


@dataclass(frozen=True)
class ReportItem:
    kind: ItemKind
    at: str
    """UTC, ISO 8601."""
    question: str
    comment: str
    topic: str


@dataclass(frozen=True)
class TopicGroup:
    topic: str
    items: tuple[ReportItem, ...]


def report_items(
    questions: Sequence[QuestionRecord],
    feedback: Sequence[FeedbackRecord],
    closest_section: Callable[[str], str | None],
) -> list[ReportItem]:
    """The unanswered questions, the unsure answers and the 👎 feedback, each with its topic."""
    items = [
        ReportItem("unanswered", q.asked_at, q.question, "", _topic(q.question, (), closest_section))
        for q in questions
        if q.abstained
    ]
    items += [
        ReportItem("unsure", q.asked_at, q.question, "", _topic(q.question, q.sources, closest_section))
        for q in questions
        if not q.abstained and not q.sure
    ]
    items += [
        ReportItem("disliked", f.received_at, f.question, f.comment, _topic(f.question, f.sources, closest_section))
        for f in feedback
        if f.reaction == "dislike"
    ]
    return items


def group_by_topic(items: Sequence[ReportItem]) -> list[TopicGroup]:
    """Largest topic first; within a topic, oldest first."""
    topics: dict[str, list[ReportItem]] = {}
    for item in sorted(items, key=lambda i: i.at):
        topics.setdefault(item.topic, []).append(item)
    ordered = sorted(topics.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    return [TopicGroup(topic, tuple(group)) for topic, group in ordered]


def render_report(groups: Sequence[TopicGroup], width: int, since: str = "") -> str:
    count = sum(len(g.items) for g in groups)
    period = f" since {since}" if since else ""
    heading = f"Unanswered questions, unsure and 👎 answers{period}: {count} in {len(groups)} topic(s)"
    if not groups:
        return heading
    lines = [heading]
    for group in groups:
        lines += ["", *wrap_words(f"{group.topic} ({len(group.items)})", width)]
        for item in group.items:
            lead = f"  {item.at[:10]}  {item.kind:<10}  "
            lines += wrap_words(item.question or "(answer not found)", width, lead, " " * len(lead))
            if item.comment:
                lines += wrap_words(f"comment: {item.comment}", width, " " * len(lead), " " * len(lead))
    return "\n".join(lines)


def write_csv(groups: Sequence[TopicGroup], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(["topic", "kind", "time", "question", "comment"])
    for group in groups:
        writer.writerows([group.topic, i.kind, i.at, i.question, i.comment] for i in group.items)


def _topic(question: str, sources: Sequence[str], closest_section: Callable[[str], str | None]) -> str:
    for line in sources:
        match = _SOURCE_LINE.match(line)
        if match and match.group("where"):
            return match.group("where")
    return (closest_section(question) if question else None) or NO_CLOSE_SECTION
