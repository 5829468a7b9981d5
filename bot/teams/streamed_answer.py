"""Answers a chat model writes, sent to Teams: streamed in 1:1 chats, as one message elsewhere.

Teams streams bot messages only in 1:1 chats (conversationType "personal"); group chats and channels get
the final message alone, after the usual typing indicator.
"""

from __future__ import annotations

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse

from bot.serving.engine_port import AnswerTimedOut, AsyncAnswerer
from bot.teams.teams_message import answer_activity, questions_activity, teams_markdown
from bot.teams.teams_streaming import TeamsStream
from bot.teams.texts import texts_for
from knowledge.types import Answer, Language

SEARCHING: dict[Language, str] = {"sv": "Söker i dokumenten …", "en": "Searching the documents …"}
"""The informative update shown while the passages are found and the model starts writing."""


def is_personal_chat(turn_context: TurnContext) -> bool:
    conversation = turn_context.activity.conversation
    return bool(conversation and conversation.conversation_type == "personal")


async def send_written_answer(
    turn_context: TurnContext, answerer: AsyncAnswerer, question: str, conversation_id: str, language: Language
) -> tuple[Answer | None, ResourceResponse | None]:
    """The answer and the connector's response to its message; no answer when it took too long (the
    user is told so)."""
    too_long = MessageFactory.text(texts_for(language).took_too_long)
    if not is_personal_chat(turn_context):
        await turn_context.send_activity(Activity(type=ActivityTypes.typing))
        try:
            answer = await answerer.ask_streaming(question, conversation_id)
        except AnswerTimedOut:
            await turn_context.send_activity(too_long)
            return None, None
        sent = await turn_context.send_activity(answer_activity(answer))
        await send_questions(turn_context, answer)
        return answer, sent
    stream = TeamsStream(turn_context)
    await stream.inform(SEARCHING[language])

    async def show(text: str) -> None:
        await stream.update(teams_markdown(text))

    try:
        # Questions to ask next under the final message, as after an extractive answer in a 1:1 chat.
        answer = await answerer.ask_streaming(question, conversation_id, on_text=show, next_questions=True)
    except AnswerTimedOut:
        await stream.finish(too_long)  # a stream once started is ended by a final message
        return None, None
    sent = await stream.finish(answer_activity(answer))
    await send_questions(turn_context, answer)
    return answer, sent


async def send_questions(turn_context: TurnContext, answer: Answer) -> None:
    """The answer's questions to ask next (or instead), if it has any, as the message after it."""
    questions = questions_activity(answer)
    if questions is not None:
        await turn_context.send_activity(questions)
