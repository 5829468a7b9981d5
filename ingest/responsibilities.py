"""The responsibility register: who decides, is responsible for, coordinates, leads, appoints or supports
what, read from the documents' own sentences at ingest.

Only sentences that say so in one of the constructions below become records, and only when the actor is a
body or role the glossary knows (or a pronoun or short form that points to one): a remiss author who
*proposes* something, or a coordinator who "kan inte fatta beslut", holds no such power and gets no record.

Constructions (Swedish):
    X beslutar om Y · X fattar beslut om Y · X ska besluta om Y · Det är X som beslutar om Y
    Y beslutas av X · Y ska X besluta om
    X ansvarar för Y · X svarar för Y · X samordnar/koordinerar Y · Y samordnas av X
    X leder Y · Y leds av X · Y under X:s ledning · X ska utse Y · X erbjuder stöd ... Y
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import Stemmer

from knowledge.retrieval.glossary import Glossary, Term
from knowledge.types import IndexedDocument, Passage, Responsibility

_ACTIONS = {
    "beslutar": "beslutar",
    "beslutas": "beslutar",
    "besluta": "beslutar",
    "fattar beslut": "beslutar",
    "ansvarar": "ansvarar",
    "svarar": "ansvarar",
    "samordnar": "samordnar",
    "samordnas": "samordnar",
    "koordinerar": "samordnar",
    "koordineras": "samordnar",
    "leder": "leder",
    "leds": "leder",
    "ledning": "leder",
    "utser": "utser",
    "utse": "utser",
    "utses": "utser",
    "stöder": "stöder",
    "stödjer": "stöder",
    "erbjuder": "stöder",
}
_ADVERBS = r"(?:(?:även|också|vidare|därför|dessutom|alltid|normalt)\s+)*"
_MODAL = r"(?:(?:ska|skall)\s+)?"
_ACTIVE = re.compile(
    rf"^(?P<actor>.{{2,80}}?)\s+{_MODAL}{_ADVERBS}"
    r"(?P<verb>beslutar|fattar beslut|besluta|ansvarar|svarar|samordnar|koordinerar|leder|utser|utse|stöder|stödjer"
    r"|erbjuder)\s+(?P<object>.+)$",
    re.IGNORECASE,
)
_CLEFT = re.compile(
    r"^det är (?P<actor>.{2,60}?) som (?P<verb>beslutar|ansvarar|samordnar|leder)\s+(?P<object>.+)$", re.IGNORECASE
)
_PASSIVE = re.compile(
    r"^(?P<object>.+?)\s+(?:ska\s+)?(?P<verb>beslutas|samordnas|koordineras|leds|utses)\s+av\s+(?P<actor>.{2,60}?)"
    r"(?:\s+(?:på uppdrag av|i samråd med)\b.*)?$",
    re.IGNORECASE,
)
_INVERTED = re.compile(r"^(?P<object>.+?)\s+ska\s+(?P<actor>.{2,60}?)\s+(?P<verb>besluta)\s+om$", re.IGNORECASE)
_LEADERSHIP = re.compile(r"^(?P<before>.+?)\s+under\s+(?P<actor>\S+?)s\s+(?P<verb>ledning)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:inte|ej|aldrig|icke)\b", re.IGNORECASE)
_PRONOUNS = frozenset({"de", "dessa", "den", "denna"})
_QUANTIFIERS = re.compile(r"^(?:samtliga|alla|varje|respektive)\s+", re.IGNORECASE)
_OBJECT_LEAD = re.compile(r"^(?:(?:även|också|vidare|dessutom)\s+)*(?:(?:om|för|i|över)\s+)?", re.IGNORECASE)
_OFFER = re.compile(r"^.*?\btill\s+", re.IGNORECASE)
_SOM_CLAUSE = re.compile(
    r"^(?P<head>.+?)\s+som\s+(?P<verb>samordnas|beslutas|leds|koordineras)\s+av\s+(?P<actor>.+)$", re.IGNORECASE
)
_BODY_KINDS = frozenset({"body", "role"})


@dataclass(frozen=True)
class _Sentence:
    text: str
    passage: Passage


class ResponsibilityExtractor:
    def __init__(self, glossary: Glossary) -> None:
        self._stemmer = Stemmer.Stemmer("swedish")
        # Bodies are recognised by their stems, so "nämnden", "nämnder" and "nämnds" all name a nämnd.
        self._by_stems: dict[tuple[str, ...], Term] = {}
        for term in glossary.terms:
            if term.kind in _BODY_KINDS:
                for form in term.swedish:
                    self._by_stems.setdefault(self._stems(form), term)

    def extract(self, document: IndexedDocument, passages: Iterable[Passage]) -> list[Responsibility]:
        records: list[Responsibility] = []
        previous_actor: str | None = None
        for sentence in _sentences(passages):
            found = self._read(sentence.text, previous_actor)
            previous_actor = found[-1][0] if found else None
            for actor, action, obj in found:
                records.append(
                    Responsibility(
                        actor=actor,
                        action=action,
                        object=obj,
                        scope=_scope(obj),
                        document=document.meta.title,
                        doc_id=document.doc_id,
                        section=sentence.passage.section_label,
                        quote=sentence.text,
                        date=document.meta.date,
                        passage_id=sentence.passage.passage_id,
                    )
                )
        return records

    def _read(self, sentence: str, previous_actor: str | None) -> list[tuple[str, str, str]]:
        text = sentence.rstrip(" .")
        found: list[tuple[str, str, str]] = []
        for pattern in (_CLEFT, _INVERTED, _PASSIVE, _ACTIVE):
            match = pattern.match(text)
            if not match or _NEGATION.search(text[: match.end("verb") + 12]):
                continue
            if pattern is _PASSIVE and match.group("object").lower().endswith(" som"):
                continue  # "... X som samordnas av Y": the relative clause below names X
            actor = self.actor(match.group("actor"), previous_actor)
            if actor:
                verb = match.group("verb").lower()
                obj = match.group("object")
                if verb == "erbjuder":
                    # "erbjuder stöd och rådgivning till X i Y": what is supported is X in Y.
                    obj = _OFFER.sub("", obj)
                found.append((actor, _ACTIONS[verb], _clean_object(obj)))
                break
        som = _SOM_CLAUSE.match(text)
        if som and not found:
            actor = self.actor(som.group("actor"), previous_actor)
            if actor:
                head = re.split(r"\s+(?:i|för|till|om|av)\s+", som.group("head"))[-1]
                found.append((actor, _ACTIONS[som.group("verb").lower()], head.strip()))
        leadership = _LEADERSHIP.search(text)
        if leadership:
            actor = self.actor(leadership.group("actor"), previous_actor)
            if actor:
                before = re.split(r"\s+(?:finns|är|har|med)\s+", leadership.group("before"))[-1]
                found.append((actor, "leder", before.strip()))
        return found

    def actor(self, phrase: str, previous_actor: str | None) -> str | None:
        """The normalised body named by ``phrase``, or None when it names none the glossary knows."""
        phrase = _QUANTIFIERS.sub("", phrase.strip()).strip()
        if phrase.lower() in _PRONOUNS:
            return previous_actor
        conjuncts = [c.strip() for c in re.split(r"\s+(?:och|samt|eller)\s+|,\s*", phrase) if c.strip()]
        names: list[str] = []
        for position, conjunct in enumerate(conjuncts):
            if conjunct.endswith("-") and position + 1 < len(conjuncts):
                # "Fackförvaltnings- och bolagschefer": the first word borrows the last one's ending.
                conjunct = conjunct[:-1] + _tail(conjuncts[-1])
            name = self._body_name(conjunct)
            if name is None:
                return None
            names.append(name)
        return " och ".join(names) if names else None

    def _body_name(self, phrase: str) -> str | None:
        lowered = phrase.lower()
        term = self._by_stems.get(self._stems(lowered))
        if term is None:
            return None
        # A plural stays plural ("nämnder och bolagsstyrelser"); any other form takes the glossary's name
        # ("Beredningen" → "internationella beredningen", "nämnden" → "nämnd").
        return lowered if lowered in _plural_forms(term) else term.name

    def _stems(self, phrase: str) -> tuple[str, ...]:
        return tuple(self._stemmer.stemWord(w) for w in phrase.lower().split())


def _plural_forms(term: Term) -> set[str]:
    return {form.lower() for form in term.swedish[1:] if form.lower().endswith(("er", "ar", "or"))}


def _tail(word: str) -> str:
    # The part after the first compound boundary: "bolagschefer" → "chefer".
    match = re.search(r"s(?=[a-zåäö]{4,}$)", word[3:])
    return word[3 + match.end() :] if match else word


def _clean_object(text: str) -> str:
    text = re.sub(r"\s+", " ", _OBJECT_LEAD.sub("", text.strip())).strip(" .,")
    first = text.split(" ", 1)[0]
    # "Nya medlemskap i ..." reads as an object in lower case; "EU-projekt" keeps its capitals.
    return text[:1].lower() + text[1:] if first[1:] == first[1:].lower() else text


def _scope(text: str) -> str:
    lowered = text.lower()
    if "stadsövergripande" in lowered or "hela staden" in lowered:
        return "stadsövergripande"
    if "verksamhetsspecifik" in lowered or "egna verksamhet" in lowered:
        return "verksamhetsspecifik"
    return ""


def _sentences(passages: Iterable[Passage]) -> list[_Sentence]:
    """Each sentence once, in document order (overlapping passages share sentences)."""
    seen: dict[int, _Sentence] = {}
    for passage in passages:
        for a, b in passage.sentences:
            seen.setdefault(passage.start + a, _Sentence(" ".join(passage.text[a:b].split()), passage))
    return [seen[offset] for offset in sorted(seen)]
