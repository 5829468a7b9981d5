"""Answers worded by a chat model through the OpenAI protocol, against a real local server."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from servers import ChatCompletionsServer, free_port
from testsupport import settings_for

from knowledge.engine import Engine

QUESTION = "Vad gäller för intentionsavtal med internationella nätverk?"


def engine_with(corpus_data_dir: Path, base_url: str, model: str) -> Engine:
    settings = settings_for(
        corpus_data_dir,
        STRATEGIBOT_ANSWERER="openai",
        OPENAI_API_KEY="test-key",
        OPENAI_BASE_URL=base_url,
        STRATEGIBOT_OPENAI_CHAT_MODEL=model,
        STRATEGIBOT_OPENAI_TIMEOUT="5",
    )
    return Engine.open(settings)


def test_the_model_words_the_answer_from_the_retrieved_quotes_only(corpus_data_dir: Path) -> None:
    with ChatCompletionsServer() as server:
        answer = engine_with(corpus_data_dir, server.base_url, "quote-first").ask(QUESTION)
    assert answer.text.startswith("Dokumenten säger: Staden kan teckna intentionsavtal")
    assert answer.text.endswith("[1]") and not answer.abstained
    assert "intentionsavtal" in answer.citations[0].quote
    (request,) = server.requests
    assert request["temperature"] == 0
    system, human = request["messages"]
    assert "Answer in Swedish" in system["content"] and "NO_ANSWER" in system["content"]
    assert human["content"].startswith("Quotes:\n[1] (") and human["content"].endswith(f"Question: {QUESTION}")


def test_unanswerable_questions_never_reach_the_model(corpus_data_dir: Path) -> None:
    with ChatCompletionsServer() as server:
        answer = engine_with(corpus_data_dir, server.base_url, "quote-first").ask("Vad kostar en glass på Skansen?")
    assert answer.abstained and server.requests == []


def test_the_model_may_decline_and_stray_markers_are_dropped(corpus_data_dir: Path) -> None:
    with ChatCompletionsServer() as server:
        declined = engine_with(corpus_data_dir, server.base_url, "no-answer").ask(QUESTION)
        stray = engine_with(corpus_data_dir, server.base_url, "stray-markers").ask(QUESTION)
    assert declined.abstained and declined.citations == ()
    assert "[7]" not in stray.text and "[1]" in stray.text


def test_a_failing_service_gives_the_extractive_answer(
    corpus_data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nobody = f"http://127.0.0.1:{free_port()}/v1"
    with caplog.at_level(logging.WARNING, logger="knowledge.answers.generative"):
        answer = engine_with(corpus_data_dir, nobody, "quote-first").ask(QUESTION)
    assert answer.text.startswith("Enligt Trafikkontoret") and "[1]" in answer.text
    assert "chat model failed" in caplog.text


def test_azure_openai_deployment_is_used_when_its_endpoint_is_set(corpus_data_dir: Path) -> None:
    with ChatCompletionsServer() as server:
        settings = settings_for(
            corpus_data_dir,
            STRATEGIBOT_ANSWERER="openai",
            AZURE_OPENAI_ENDPOINT=server.azure_endpoint,
            AZURE_OPENAI_API_KEY="test-key",
            OPENAI_API_VERSION="2024-10-21",
            STRATEGIBOT_OPENAI_CHAT_MODEL="quote-first",
        )
        answer = Engine.open(settings).ask(QUESTION)
    assert answer.text.startswith("Dokumenten säger: Staden kan teckna intentionsavtal")
    assert server.requests and server.requests[0]["model"] == "quote-first"
