"""What every JSON WebSocket of the project does with a frame it cannot use, and how much a
connection may ask for: a frame that is binary, too long or not JSON is answered with an
`error` and the socket stays up (channels' own `receive` raises, and the socket closes with
1011); a connection's messages are counted against token buckets, so one socket cannot keep
the process's database thread to itself.
"""

import time

from django.conf import settings

# Longer than any command the room takes (an agency's update is at most 20,000 characters).
MAX_FRAME_CHARS = 256 * 1024


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; `take()` spends one if there is one."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = float(burst)
        self.clock = clock
        self.updated = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def bucket(rate_setting: str, burst_setting: str, *, rate: float, burst: int) -> TokenBucket:
    """A bucket sized by settings (read when the socket opens), with these defaults."""
    return TokenBucket(
        getattr(settings, rate_setting, rate), getattr(settings, burst_setting, burst)
    )


class JsonFramesMixin:
    """For an AsyncJsonWebsocketConsumer: hand `receive_json` only a JSON object; answer
    anything else with {"type": "error", "message": ...} and keep the socket open."""

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.frame_refused("Send messages as JSON text, not binary frames.")
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self.frame_refused("That message is too long.")
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:  # json.JSONDecodeError, and text that is not UTF-8 JSON
            await self.frame_refused("That message was not valid JSON.")
            return
        if not isinstance(content, dict):
            await self.frame_refused("Send a JSON object.")
            return
        await self.receive_json(content, **kwargs)

    async def frame_refused(self, message: str):
        await self.send_json({"type": "error", "message": message})
