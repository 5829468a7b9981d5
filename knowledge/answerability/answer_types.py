"""What kind of answer a question asks for, and what kinds of answer a sentence holds.

"Vad heter finansborgarrådet?" asks for a person's name; a sentence that names only the role ("leds av
finansborgarrådet") does not answer it however close it is in meaning. The same holds for a number, a
date, an amount of money, a place or contact details. The fitted models weigh these signals; nothing here
decides on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text.text_analysis import words

KINDS = ("person", "body", "number", "date", "money", "place", "contact", "current", "yesno")

# Swedish writes compounds as one word ("medlemsavgift", "mötesdatum"): Swedish answer words may end a word.
_ASKS = {
    "person": re.compile(
        r"\b(vad heter|heter|namn(?:et)?|vem är (?!ansvarig)|vilken person|what(?:'s| is) the name|name of|"
        r"names? of|named|who(?:'s| is) (?!responsible|in charge)|who currently)"
    ),
    "body": re.compile(
        r"\b(vem|vilka|vilken (?:nämnd|instans|organ|enhet|avdelning)|who|whom|"
        r"which (?:body|committee|board|unit|office))\b"
    ),
    "number": re.compile(
        r"\b(hur många|hur ofta|antal(?:et)?|hur stor(?:t)?|hur länge|hur lång|procent|how many|how often|"
        r"number of|how much of|percentage|how frequently|how long|the longest|the shortest|maximum|minimum)\b"
    ),
    "date": re.compile(
        r"(\bnär\b|vilket datum|vilket år|vilka år\b|vilken period|vilken dag|vilken månad|datum\b|årtal|deadline|"
        r"sista dag|tills när|till när|sedan när|\bwhen\b|\bdate\b|\bdates\b|which month|what month|what year|"
        r"which year|which years|what years|what period|by when|until when|since when)"
    ),
    "money": re.compile(
        r"(kosta[rd]?\b|kostnad|\bpris\b|priset|avgift|budget|belopp|pengar|kronor|finansier|bidrag|eu-medel|"
        r"\bmedel\b|hur mycket|\bcosts?\b|\bfees?\b|\bprice|\bamount|\bmoney|how much|funding|funded|"
        r"\beuros?\b|\bsek\b|\bspend)"
    ),
    "place": re.compile(
        r"\b(var ligger|var finns|vart|vilken stad|vilka städer|vilket land|vilka länder|adress(?:en)?|lokal(?:en)?|"
        r"where|which cit(?:y|ies)|which countr(?:y|ies)|address|location|venue)\b"
    ),
    "contact": re.compile(
        r"(telefon|\bnummer|nummret|numret|mejl|\bmail|e-post|epost|kontakta|kontaktuppgift|\bphone|e-?mail|"
        r"contact details|\breach (?:them|him|her))"
    ),
    # The documents are dated; a question about how things stand now rarely has its answer in them.
    "current": re.compile(
        r"(\bnuvarande|\bjust nu|\bi dag\b|\bidag\b|\bnumera|\bsenaste|\bi år\b|\bcurrent|\bthese days|"
        r"\bat the moment|\bright now|\bnowadays|\btoday|\blatest|\bthis year|\bpresently)"
    ),
}
_YES_NO_OPENERS = frozenset(
    [
        "får",
        "kan",
        "ska",
        "måste",
        "bör",
        "är",
        "finns",
        "har",
        "behöver",
        "gäller",
        "omfattas",
        "tecknar",
        "stämmer",
        "brukar",
        "can",
        "may",
        "must",
        "should",
        "is",
        "are",
        "does",
        "do",
        "did",
        "will",
        "shall",
        "has",
        "have",
        "could",
        "would",
    ]
)

_NUMBER_WORDS = frozenset(
    [
        "en",
        "ett",
        "två",
        "tre",
        "fyra",
        "fem",
        "sex",
        "sju",
        "åtta",
        "nio",
        "tio",
        "elva",
        "tolv",
        "tjugo",
        "hundra",
        "tusen",
        "miljon",
        "miljoner",
        "miljard",
        "hälften",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "twelve",
        "twenty",
        "hundred",
        "thousand",
        "million",
        "half",
        "första",
        "andra",
        "tredje",
        "fjärde",
        "femte",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
    ]
)
_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "october",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
]
_DATE = re.compile(r"\b(1[89]\d\d|20\d\d)\b|\b\d{1,2}/\d{1,2}\b|\b(" + "|".join(_MONTHS) + r")\b", re.IGNORECASE)
_MONEY = re.compile(r"\b(kr|kronor|sek|euro|eur|mkr|tkr|miljoner kronor)\b|€|\$", re.IGNORECASE)
_CONTACT = re.compile(r"@|\b0\d{1,3}[- ]\d{2,3}[ ]?\d{2,3}[ ]?\d{2,3}\b|\btelefon\b|\be-?post\b", re.IGNORECASE)
# A first name and a family name: two capitalised words in a row ("Jonas Eliasson").
_PERSON = re.compile(r"\b[A-ZÅÄÖ][a-zåäöé]+ [A-ZÅÄÖ][a-zåäöé]{2,}\b")
_NOW = re.compile(r"\b(nu|numera|för närvarande|i dag|idag|currently|now|at present)\b")
_PLACE = re.compile(r"\b(Stockholm|Stadshuset|Bryssel|Brussels|Europa|Europe|Sverige|Sweden|[A-ZÅÄÖ][a-zåäö]+gatan)\b")


@dataclass(frozen=True)
class AskedKinds:
    kinds: frozenset[str]

    def wants(self, kind: str) -> bool:
        return kind in self.kinds


def asked_kinds(question: str) -> AskedKinds:
    lowered = " ".join(question.lower().split())
    kinds = {kind for kind, pattern in _ASKS.items() if pattern.search(lowered)}
    tokens = words(question)
    if tokens and tokens[0] in _YES_NO_OPENERS:
        kinds.add("yesno")
    if "person" in kinds:
        kinds.discard("body")
    return AskedKinds(frozenset(kinds))


def held_kinds(sentence: str, bodies: frozenset[str]) -> frozenset[str]:
    """The kinds of answer ``sentence`` can give; ``bodies`` are the lower-cased names of bodies and roles."""
    kinds: set[str] = set()
    tokens = words(sentence)
    lowered = " ".join(tokens)
    if any(t.isdigit() for t in tokens) or _NUMBER_WORDS & set(tokens):
        kinds.add("number")
    if _DATE.search(sentence):
        kinds.add("date")
    if _MONEY.search(sentence):
        kinds.add("money")
    if _CONTACT.search(sentence):
        kinds.add("contact")
    if _PERSON.search(sentence.strip()):
        kinds.add("person")
    if _PLACE.search(sentence):
        kinds.add("place")
    if _NOW.search(lowered):
        kinds.add("current")
    if any(body in lowered for body in bodies):
        kinds.add("body")
    kinds.add("yesno")
    return frozenset(kinds)
