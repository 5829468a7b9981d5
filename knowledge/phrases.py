"""The few fixed phrases an answer is framed with, in Swedish and English. Quotes are never translated."""

from __future__ import annotations

from knowledge.types import Language

_PHRASES: dict[str, dict[Language, str]] = {
    "according_to": {"sv": "Enligt {source}:", "en": "According to {source} (quoted in Swedish):"},
    "not_answered": {
        "sv": "Det hittar jag inget svar på i de indexerade dokumenten, så jag vill inte gissa.",
        "en": "The indexed documents do not answer that, so I won't guess.",
    },
    "can_answer": {
        "sv": "Jag kan svara på frågor om till exempel: {topics}.",
        "en": "I can answer questions about, for example: {topics}.",
    },
    "suggestion": {"sv": "Vad säger dokumenten om {topic}?", "en": "What do the documents say about {topic}?"},
    "empty_index": {
        "sv": "Inga dokument är indexerade ännu. Kör `strategibot ingest` först.",
        "en": "No documents are indexed yet. Run `strategibot ingest` first.",
    },
    "page": {"sv": "s. {page}", "en": "p. {page}"},
}


def phrase(key: str, language: Language, **values: object) -> str:
    return _PHRASES[key][language].format(**values)
