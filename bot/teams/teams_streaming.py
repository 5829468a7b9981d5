"""One reply streamed the way Teams streams bot messages in 1:1 chats.

The protocol (learn.microsoft.com, "Stream bot messages"): an informative update first (a typing activity
with streamType "informative" and streamSequence 1, shown as a progress line); the id the connector gives
that activity is the stream's id. Then the text so far, again and again, as typing activities with
streamType "streaming", the same streamId and a sequence that grows by one; each carries all the text
before it. Last the final message (type message, streamType "final", the streamId), which is the one that
stays, with its citations, AI label and feedback. Teams reads the stream fields from a "streaminfo" entity;
older clients from channelData: both are sent.

Teams throttles streams (about one update a second), so updates closer together than that are skipped;
the final message carries all the text anyway.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, Literal

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, Entity, ResourceResponse

StreamType = Literal["informative", "streaming", "final"]

MIN_UPDATE_SECONDS = 1.0
"""The least time between two streamed updates: Teams refuses faster streams."""


class StreamInfoEntity(Entity):
    """The "streaminfo" entity, with the fields botbuilder's `Entity` would otherwise drop."""

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        **Entity._attribute_map,
        "stream_id": {"key": "streamId", "type": "str"},
        "stream_type": {"key": "streamType", "type": "str"},
        "stream_sequence": {"key": "streamSequence", "type": "int"},
    }

    def __init__(self, stream_type: StreamType, sequence: int, stream_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(type="streaminfo", **kwargs)
        self.stream_id = stream_id
        self.stream_type = stream_type
        self.stream_sequence = sequence


class TeamsStream:
    """Sends one streamed reply. Without an id for the informative update there is no stream: the
    final message is then sent as an ordinary message."""

    def __init__(self, turn_context: TurnContext, min_update_seconds: float = MIN_UPDATE_SECONDS) -> None:
        self._turn_context = turn_context
        self._min_update_seconds = min_update_seconds
        self._stream_id: str | None = None
        self._sequence = 0
        self._last_update = 0.0
        self._streamed = ""

    async def inform(self, text: str) -> None:
        response = await self._send(Activity(type=ActivityTypes.typing, text=text), "informative")
        self._stream_id = response.id if response is not None and response.id else None
        self._last_update = time.monotonic()

    async def update(self, text: str) -> None:
        """Show `text` (all of it so far) unless the last update was too recent, or `text` adds nothing to
        what was shown or does not continue it (Teams refuses an update that does not hold the one before)."""
        if self._stream_id is None or not text.startswith(self._streamed) or text == self._streamed:
            return
        if time.monotonic() - self._last_update < self._min_update_seconds:
            return
        await self._send(Activity(type=ActivityTypes.typing, text=text), "streaming")
        self._streamed = text
        self._last_update = time.monotonic()

    async def finish(self, message: Activity) -> ResourceResponse | None:
        """Send the final message (an ordinary message when no stream was started)."""
        if self._stream_id is None:
            return await self._turn_context.send_activity(message)
        return await self._send(message, "final")

    async def _send(self, activity: Activity, stream_type: StreamType) -> ResourceResponse | None:
        self._sequence += 1
        fields: dict[str, Any] = {"streamType": stream_type, "streamSequence": self._sequence}
        if self._stream_id is not None:
            fields["streamId"] = self._stream_id
        activity.channel_data = {**(activity.channel_data or {}), **fields}
        activity.entities = [
            *(activity.entities or []),
            StreamInfoEntity(stream_type, self._sequence, self._stream_id),
        ]
        return await self._turn_context.send_activity(activity)
