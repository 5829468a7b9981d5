"""Answers worded by a chat model (OpenAI or Azure OpenAI), from the same quotes as the extractive answer.

The model never sees anything but the numbered quotes the retrieval chose, is told to answer only from
them and to cite them as [n], and may say it cannot answer. Whether to answer at all is still decided
before the model is asked (knowledge.evidence), so an unanswerable question never reaches it. When the
service fails, the extractive answer is given instead: the user gets an answer, the log says why.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from langchain_core.prompts import ChatPromptTemplate

from knowledge.settings import OpenAISettings
from knowledge.types import Answer, Citation, Language

log = logging.getLogger(__name__)

NO_ANSWER = "NO_ANSWER"
_MARKER = re.compile(r"\[(\d+)\]")
_LANGUAGE_NAME: dict[Language, str] = {"sv": "Swedish", "en": "English"}

PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "You answer questions from City of Stockholm staff about the city's international work. "
            "Use only the numbered quotes from the city's documents given by the user; never add facts, "
            "names or rules that are not in them. Answer in {language}, in at most three short sentences, "
            "and put the number of every quote you rely on in square brackets, like [1]. Keep the names of "
            "Swedish bodies as they are written. If the quotes do not answer the question, reply with "
            "exactly " + NO_ANSWER + ".",
        ),
        ("human", "Quotes:\n{quotes}\n\nQuestion: {question}"),
    ]
)


def create_chat_model(settings: OpenAISettings) -> Any:
    from langchain_openai import AzureChatOpenAI, ChatOpenAI

    client = AzureChatOpenAI if settings.is_azure else ChatOpenAI
    return client(**settings.client_options(settings.chat_model), temperature=0)


class GenerativeComposer:
    def __init__(self, chat_model: Any) -> None:
        self._chain = PROMPT | chat_model

    def compose(
        self, question: str, language: Language, citations: tuple[Citation, ...], fallback: Answer, abstain: Answer
    ) -> Answer:
        quotes = "\n".join(f"[{c.number}] ({c.document}, {c.section}, {c.date}) {c.quote}" for c in citations)
        try:
            reply = self._chain.invoke({"language": _LANGUAGE_NAME[language], "quotes": quotes, "question": question})
        except Exception as error:  # the service is outside this machine: any failure means "use the fallback"
            log.warning("chat model failed (%s); giving the extractive answer", type(error).__name__)
            return fallback
        text = str(getattr(reply, "content", reply)).strip()
        if not text or NO_ANSWER in text:
            return abstain
        return Answer(_cited(text, citations), False, citations, language, question=question)


def _cited(text: str, citations: tuple[Citation, ...]) -> str:
    """The model's text with markers that point nowhere removed, and the sources named if it cited none."""
    known = {c.number for c in citations}
    text = _MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in known else "", text).strip()
    if not _MARKER.search(text):
        text += " " + "".join(f"[{c.number}]" for c in citations)
    return text
