"""The few fixed phrases an answer is framed with, in Swedish and English. Quotes are never translated."""

from __future__ import annotations

from knowledge.types import Language

_PHRASES: dict[str, dict[Language, str]] = {
    "according_to": {"sv": "Enligt {source}:", "en": "According to {source}:"},
    "according_to_other_language": {
        "sv": "Enligt {source} (citerat på engelska):",
        "en": "According to {source} (quoted in Swedish):",
    },
    "several_documents": {
        "sv": "Flera dokument tar upp detta, nyast först:",
        "en": "Several documents address this, newest first:",
    },
    "superseded": {"sv": "(ersatt)", "en": "(superseded)"},
    "undated": {"sv": "odaterad", "en": "undated"},
    "also_in": {"sv": "(står även i {sources})", "en": "(also in {sources})"},
    "excerpt": {"sv": "(utdrag)", "en": "(excerpt)"},
    "unsure": {
        "sv": "Osäkert om dokumenten svarar på just detta. Närmast finns:",
        "en": "Not sure the documents answer exactly this. Closest are:",
    },
    "not_answered": {
        "sv": "Det hittar jag inget svar på i de indexerade dokumenten, så jag vill inte gissa.",
        "en": "The indexed documents do not answer that, so I won't guess.",
    },
    "can_answer": {
        "sv": "Jag kan svara på frågor om till exempel: {topics}.",
        "en": "I can answer questions about, for example: {topics}.",
    },
    "ask_section": {"sv": "Vad säger dokumenten om {heading}?", "en": "What do the documents say about {heading}?"},
    "ask_beslutar": {"sv": "Vem beslutar om", "en": "Who decides on"},
    "ask_ansvarar": {"sv": "Vem ansvarar för", "en": "Who is responsible for"},
    "ask_samordnar": {"sv": "Vem samordnar", "en": "Who coordinates"},
    "ask_leder": {"sv": "Vem leder", "en": "Who leads"},
    "ask_utser": {"sv": "Vem utser", "en": "Who appoints"},
    "ask_stöder": {"sv": "Vem ger stöd till", "en": "Who supports"},
    "closest_answered": {
        "sv": "Närmast i dokumenten finns svar på:",
        "en": "The documents do answer these nearby questions:",
    },
    "empty_index": {
        "sv": "Inga dokument är indexerade ännu. Kör `strategibot ingest` först.",
        "en": "No documents are indexed yet. Run `strategibot ingest` first.",
    },
    "page": {"sv": "s. {page}", "en": "p. {page}"},
    "sections": {"sv": "Avsnitten i dokumentet: {sections}.", "en": "The document's sections on this: {sections}."},
    "according_to_short": {
        "sv": "Det beror på vad frågan gäller. Enligt {source}:",
        "en": "It depends on the scope. According to {source} (quoted in Swedish):",
    },
    "scope_stadsövergripande": {"sv": "Stadsövergripande", "en": "City-wide (stadsövergripande)"},
    "scope_verksamhetsspecifik": {
        "sv": "Bara den egna verksamheten",
        "en": "Your own operations only (verksamhetsspecifik)",
    },
    "which_scope_applies": {
        "sv": "Vilket som gäller beror på om frågan rör hela staden (stadsövergripande) eller bara er egen "
        "verksamhet (verksamhetsspecifik).",
        "en": "Which applies depends on whether the matter concerns the whole city (stadsövergripande) or only "
        "your own operations (verksamhetsspecifik).",
    },
    "action_beslutar": {"sv": "beslutar om", "en": "decides on"},
    "action_ansvarar": {"sv": "ansvarar för", "en": "is responsible for"},
    "action_samordnar": {"sv": "samordnar", "en": "coordinates"},
    "action_leder": {"sv": "leder", "en": "leads"},
    "action_utser": {"sv": "utser", "en": "appoints"},
    "action_stöder": {"sv": "ger stöd till", "en": "supports"},
    "actions_beslutar": {"sv": "beslutar om", "en": "decide on"},
    "actions_ansvarar": {"sv": "ansvarar för", "en": "are responsible for"},
    "actions_samordnar": {"sv": "samordnar", "en": "coordinate"},
    "actions_leder": {"sv": "leder", "en": "lead"},
    "actions_utser": {"sv": "utser", "en": "appoint"},
    "actions_stöder": {"sv": "ger stöd till", "en": "support"},
}


def phrase(key: str, language: Language, **values: object) -> str:
    return _PHRASES[key][language].format(**values)
