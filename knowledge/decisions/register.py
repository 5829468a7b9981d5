"""Finding the register records that answer a who-question.

A record matches by its action (the question asks who *decides*, *leads*, ...) and by how much of the
question's remaining content its object covers. The question's last concept usually names the
kind of thing asked about ("... i stadsövergripande nätverk"): records about that kind come first, since
the kind is what tells a network (kommunstyrelsen) from an organisation (kommunfullmäktige).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.index.lexical_index import LexicalIndex
from knowledge.retrieval.concepts import Concept
from knowledge.retrieval.query import Query
from knowledge.text.text_analysis import COMPOUND_PART_WEIGHT, ENGLISH_FUNCTION_WORDS, words
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
        terms_of = [lexical.analyzer.term_set(r.object) for r in records]
        # Which records name each term, as sorted arrays: a question's coverage of every record is summed
        # term by term over these lists (numpy does the adding), never record by record: a corpus of
        # 100,000 passages has tens of thousands of records, and many of them name the same common words.
        naming: dict[str, list[int]] = {}
        for index, terms in enumerate(terms_of):
            for term in terms:
                naming.setdefault(term, []).append(index)
        self._records_naming = {term: np.asarray(found, dtype=np.int64) for term, found in naming.items()}
        self._action_codes = {action: code for code, action in enumerate(sorted({r.action for r in records}))}
        self._actions = np.asarray([self._action_codes[r.action] for r in records], dtype=np.int64)

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
        # An action word of the question that a record's object names is part of what that record is about:
        # "ansvarar för samordningen av ..." answers "who is responsible for coordinating ...". It counts
        # for the records that name it, and never against those that do not.
        acts = [c for c in query.concepts if _is_action(c, actions)] if len(own) < len(query.concepts) else []
        act_weights = self._weights(acts, len(acts))
        named = self._coverage(acts, act_weights)
        covered = self._coverage(content, weights) + named
        # An English question's words that the corpus has no Swedish for are left out of its concepts (they
        # say nothing about Swedish text), but no record covers them either: they count as uncovered, as a
        # Swedish word the corpus lacks does. "Who must approve the job ad?" is not answered by a record on
        # who decides because "approve" is all of it the corpus knows.
        unmatched = self._unmatched_weight(query)
        coverage = covered / (total + named + unmatched) if total else np.zeros(len(self.records))
        asked = self._of_actions(actions)
        helping = ~asked & self._of_actions(OTHER_ROLES)
        matched = np.flatnonzero(asked & (coverage >= MIN_OBJECT_COVERAGE))
        if not len(matched):
            return []
        # The question's last concept names the kind of thing asked about ("... i stadsövergripande
        # nätverk"), and the kind decides which rule applies: records about that kind come first; then by
        # coverage, then in register order.
        of_kind = np.isin(matched, self._naming(own[-1].forms))
        ranked = matched[np.lexsort((matched, -coverage[matched], ~of_kind))]
        helpers = np.flatnonzero(helping & (coverage >= OTHER_ROLE_COVERAGE))
        helpers = helpers[np.lexsort((helpers, -coverage[helpers]))]
        best = ranked[0]
        chosen = [RecordMatch(self.records[best], float(coverage[best]))]
        least = RELATED_RATIO * chosen[0].score
        for index in itertools.chain(ranked[1:], helpers):
            if len(chosen) >= MAX_RECORDS:
                break
            if coverage[index] >= least and self.records[index].quote not in {c.record.quote for c in chosen}:
                chosen.append(RecordMatch(self.records[index], float(coverage[index])))
        return chosen

    def _of_actions(self, actions: frozenset[str]) -> np.ndarray:
        codes = [self._action_codes[a] for a in actions if a in self._action_codes]
        return np.isin(self._actions, codes)

    def _coverage(self, concepts: list[Concept], weights: list[float]) -> np.ndarray:
        """The weight of ``concepts`` each record covers: a concept's whole weight where the record names
        one of its forms, part of it where it names only a compound part (``Concept.credit``)."""
        covered = np.zeros(len(self.records))
        for concept, weight in zip(concepts, weights, strict=True):
            whole = self._naming(concept.forms)
            partly = np.setdiff1d(self._naming(concept.parts), whole, assume_unique=True)
            covered[whole] += weight
            covered[partly] += weight * COMPOUND_PART_WEIGHT
        return covered

    def _naming(self, terms: Sequence[str]) -> np.ndarray:
        """The records that name any of ``terms``, each once, in register order."""
        found = [self._records_naming[t] for t in terms if t in self._records_naming]
        if not found:
            return np.zeros(0, dtype=np.int64)
        return found[0] if len(found) == 1 else np.unique(np.concatenate(found))

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

    def _unmatched_weight(self, query: Query) -> float:
        if query.language != "en":
            return 0.0  # a Swedish word the corpus lacks is a concept of its own, weighed in _weights
        unknown = [w for w in query.focus if not w.known and w.word not in ENGLISH_FUNCTION_WORDS]
        return self._lexical.idf_median() * len(unknown)

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
