"""The direct answer an extract opens with, when the quoted sentence gives one plainly.

"Får vi teckna vänortsavtal?" is answered "Nej." before the quote that says "Staden ... tecknar inte
vänortsavtal"; "När är sista dag?" opens with the one date the sentence names. A lead is only given when
the sentence holds exactly what was asked for and most of the question's own words: a wrong "Ja" would be
worse than none, and the quote that follows lets the reader check it.
"""

from __future__ import annotations

import re

from knowledge.answerability.answer_types import AskedKinds
from knowledge.text.text_analysis import words
from knowledge.types import Language

MIN_QUESTION_SHARE = 0.5
"""The share of the question's words (weighted by rarity) that the sentence must hold for a yes or no."""

_NEGATIONS = frozenset(
    ["inte", "ej", "icke", "aldrig", "inga", "ingen", "inget", "not", "no", "never", "cannot", "none", "nor"]
)
_WH_KINDS = frozenset(["person", "number", "date", "money", "contact", "place"])
_MONTH = (
    r"(?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    r"january|february|march|may|june|july|august|october)"
)
_FULL_DATE = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}} {_MONTH}(?: \d{{4}})?\b|\b{_MONTH} \d{{1,2}},? \d{{4}}\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A year that is part of a name ("utgår från Vision 2040", "Agenda 2030") dates nothing: it is not a date
# answer. A capital at the start of a sentence ("Sedan 2007 ...") is no name.
_YEAR_IN_NAME = re.compile(r"(?<=[\w,] )[A-ZÅÄÖ][\wåäö-]* (?:19|20)\d\d\b")
_PERSON = re.compile(r"\b[A-ZÅÄÖ][a-zåäöé]+ [A-ZÅÄÖ][a-zåäöé]{2,}\b")
_MONEY = re.compile(r"\b\d[\d  ]*(?:[,.]\d+)?\s*(?:kr|kronor|mkr|tkr|miljoner kronor|sek|euro|eur)\b|€\s*\d[\d ,.]*")
_COUNT = re.compile(r"\b\d+(?:[,.]\d+)?(?:\s*(?:procent|%|percent))?")

_YES = {"sv": "Ja.", "en": "Yes."}
_NO = {"sv": "Nej.", "en": "No."}


def direct_lead(question: str, asked: AskedKinds, sentence: str, question_share: float, language: Language) -> str:
    """The short answer to open with ("Nej.", "7 november 2016.", "Karin Dhakal."), or "" when the sentence
    does not give one plainly."""
    wanted = asked.kinds & _WH_KINDS
    if wanted:
        return _value_lead(wanted, sentence)
    if asked.wants("yesno") and question_share >= MIN_QUESTION_SHARE and not _negated(question):
        return (_NO if _negated(sentence) else _YES)[language]
    return ""


def _value_lead(wanted: frozenset[str], sentence: str) -> str:
    if len(wanted) != 1:
        return ""
    (kind,) = wanted
    pattern = {"date": _FULL_DATE, "person": _PERSON, "money": _MONEY, "number": _COUNT}.get(kind)
    if pattern is None:
        return ""
    found = list(dict.fromkeys(m.group(0).strip() for m in pattern.finditer(sentence)))
    if kind == "date" and not found:
        unnamed = _YEAR_IN_NAME.sub(" ", sentence)
        found = list(dict.fromkeys(_YEAR.findall(unnamed)))
    if kind == "number":
        # Years are not counts: "2016" does not answer "hur många".
        found = [f for f in found if not _YEAR.fullmatch(f)]
    return f"{found[0]}." if len(found) == 1 else ""


def _negated(text: str) -> bool:
    tokens = words(text)
    return bool(_NEGATIONS & set(tokens)) or any(t.endswith("n't") for t in text.lower().split())
