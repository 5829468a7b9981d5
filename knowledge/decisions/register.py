"""Finding the register records that answer a who-question.

A record matches by its action (the question asks who *decides*, *leads*, ...) and by how much of the
question's remaining content its object covers. The question's last concept usually names the
kind of thing asked about ("... i stadsövergripande nätverk"): records about that kind come first, since
the kind is what tells a network (kommunstyrelsen) from an organisation (kommunfullmäktige).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.index.lexical_index import LexicalIndex
from knowledge.retrieval.concepts import Concept
from knowledge.retrieval.query import Query
from knowledge.text.text_analysis import words
from knowledge.types import Responsibility

# Words that ask about each action, as prefixes of Swedish and English words.
ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "beslutar": ("beslut", "bestäm", "godkän", "decide", "decision", "approv", "authori"),
    "ansvarar": ("ansvar", "handläg", "hanter", "responsib", "handle", "accountab", "charge"),
    "samordnar": ("samordn", "koordin", "coordinat"),
    "leder": ("leder", "leds", "ledning", "ordförande", "lead", "chair", "head"),
    "utser": ("utse", "utnämn", "appoint", "designat", "nominat"),
    "stöder": ("stöd", "rådgiv", "hjälp", "support", "advice", "advise", "help", "guidance"),
}
MIN_OBJECT_COVERAGE = 0.35
RELATED_RATIO = 0.4
# A body that coordinates or supports the matter asked about is part of the answer to "who handles it?",
# though it is not what was asked: such a record must cover the question more fully to be shown.
OTHER_ROLE_COVERAGE = 0.35
OTHER_ROLES = frozenset(["samordnar", "stöder"])
MAX_RECORDS = 3


@dataclass(frozen=True)
class RecordMatch:
    record: Responsibility
    score: float


def asked_actions(question: str) -> frozenset[str]:
    tokens = words(question)
    return frozenset(action for action, prefixes in ACTION_WORDS.items() if any(t.startswith(prefixes) for t in tokens))


class ResponsibilityRegister:
    def __init__(self, records: list[Responsibility], lexical: LexicalIndex) -> None:
        self.records = tuple(records)
        self._lexical = lexical
        # A who-question describes the object and asks for the actor: match the object only, or "Vem leder
        # kommunstyrelsen?" would be answered by what kommunstyrelsen leads.
        self._terms = [lexical.analyzer.term_set(r.object) for r in records]
        # Which records name each term: a record that shares no term with the question covers none of it
        # and can never match, so a question looks only at those that do (a corpus of 100,000 passages
        # has tens of thousands of records).
        self._records_naming: dict[str, list[int]] = {}
        for index, terms in enumerate(self._terms):
            for term in terms:
                self._records_naming.setdefault(term, []).append(index)

    def matching(self, query: Query) -> list[RecordMatch]:
        """Records that answer ``query`` best first: the best one, and up to two more with the same action
        that cover a good part of it: the same question answered for another scope or kind of body, so
        that the asker sees the whole picture at once."""
        actions = asked_actions(query.question)
        if not actions or not self.records:
            return []
        own = [c for c in query.concepts if not _is_action(c, actions)] or list(query.concepts)
        content = own + [c for c in query.context if not _is_action(c, actions)]
        weights = self._weights(content, len(own))
        total = sum(weights)
        category = own[-1]
        scored: list[tuple[bool, RecordMatch]] = []
        other_roles: list[RecordMatch] = []
        for index in self._sharing_a_term(content):
            record, terms = self.records[index], self._terms[index]
            covered = sum(w * c.credit(terms) for c, w in zip(content, weights, strict=True))
            coverage = covered / total if total else 0.0
            if record.action not in actions:
                if record.action in OTHER_ROLES and coverage >= OTHER_ROLE_COVERAGE:
                    other_roles.append(RecordMatch(record, coverage))
                continue
            if coverage >= MIN_OBJECT_COVERAGE:
                scored.append((category.credit(terms) == 1.0, RecordMatch(record, coverage)))
        # The question's last concept names the kind of thing asked about ("... i stadsövergripande
        # nätverk"), and the kind decides which rule applies: records about that kind come first.
        scored.sort(key=lambda pair: (not pair[0], -pair[1].score))
        ranked = [match for _, match in scored]
        if not ranked:
            return []
        best = ranked[0]
        chosen = [best]
        for match in ranked[1:]:
            if len(chosen) >= MAX_RECORDS:
                break
            if match.score >= RELATED_RATIO * best.score and match.record.quote not in {c.record.quote for c in chosen}:
                chosen.append(match)
        for match in sorted(other_roles, key=lambda m: -m.score):
            if len(chosen) >= MAX_RECORDS:
                break
            if match.score >= RELATED_RATIO * best.score and match.record.quote not in {c.record.quote for c in chosen}:
                chosen.append(match)
        return chosen

    def _sharing_a_term(self, concepts: list[Concept]) -> list[int]:
        """The records that name a form or part of any of ``concepts``, in register order."""
        found: set[int] = set()
        for concept in concepts:
            for term in (*concept.forms, *concept.parts):
                found.update(self._records_naming.get(term, ()))
        return sorted(found)

    def names_subject(self, query: Query, sentence_concepts: frozenset[int], document_terms: frozenset[str]) -> bool:
        """Whether a sentence, or the document it is from, names what a who-question asks about.

        "Vem leder kommunstyrelsen?" is not answered by "Internationella beredningen leds av
        finansborgarrådet", which names the act but not its object. The sentence may say it in other words
        than the question ("internationella besöksförfrågningar" for a visiting delegation), but a document
        that never names it cannot say who acts on it."""
        subject = subject_positions(query)
        if not subject or sentence_concepts & subject:
            return True
        return any(query.concepts[i].credit(document_terms) == 1.0 for i in subject)

    def _weights(self, concepts: list[Concept], own_count: int) -> list[float]:
        weights = []
        for position, concept in enumerate(concepts):
            known = [self._lexical.idf(f) for f in concept.forms if self._lexical.knows(f)]
            weight = max(known) if known else self._lexical.idf_ceiling()
            if position >= own_count:
                weight *= 0.35  # an earlier turn's concepts, for a follow-up
            weights.append(weight)
        return weights


def subject_positions(query: Query) -> frozenset[int]:
    """Positions of the concepts a who-question asks about: all but its action words (none when it asks
    about no action)."""
    actions = asked_actions(query.question)
    if not actions:
        return frozenset()
    return frozenset(i for i, c in enumerate(query.concepts) if not _is_action(c, actions))


def _is_action(concept: Concept, actions: frozenset[str]) -> bool:
    prefixes = tuple(prefix for action in actions for prefix in ACTION_WORDS[action])
    return concept.label.lower().startswith(prefixes) or any(form.startswith(prefixes) for form in concept.forms)
