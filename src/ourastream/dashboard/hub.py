"""The fan-out of server-sent events: the feed thread publishes an event
once, and every open event stream of the page receives it.

Each stream has a bounded queue. A stream that falls that far behind is
closed rather than allowed to grow the dashboard's memory; the browser
reconnects by itself and reloads the window, so it misses nothing it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

import orjson

log = logging.getLogger(__name__)

QUEUE_EVENTS = 256
# Tells a browser how soon to reconnect when the stream ends or breaks.
RECONNECT_MS = 1000


def sse_frame(event: str, data: Any, event_id: int | None = None) -> bytes:
    """One server-sent event, encoded once for every stream."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: ".encode() + orjson.dumps(data) + b"\n\n"


class Hub:
    """Event streams of the connected pages, fed from any thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._streams: set[asyncio.Queue] = set()
        self._ids = itertools.count(1)
        self.closed = False

    @property
    def clients(self) -> int:
        return len(self._streams)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Deliver events on ``loop`` (the web server's), from now on."""
        self._loop = loop
        self.closed = False

    def subscribe(self) -> asyncio.Queue:
        """A new stream's queue; call from the event loop."""
        stream: asyncio.Queue = asyncio.Queue(QUEUE_EVENTS)
        stream.put_nowait(f"retry: {RECONNECT_MS}\n\n".encode())
        self._streams.add(stream)
        return stream

    def unsubscribe(self, stream: asyncio.Queue) -> None:
        self._streams.discard(stream)

    def publish(self, event: str, data: Any) -> None:
        """Send an event to every stream. Safe to call from any thread."""
        if self._loop is None or self.closed:
            return
        frame = sse_frame(event, data, next(self._ids))
        # A closed loop means the server is shutting down: nobody to tell.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._fan_out, frame)

    def close(self) -> None:
        """End every stream, so the server can stop without waiting for
        browsers to hang up. Safe to call from any thread or signal handler."""
        if self._loop is None or self.closed:
            return
        self.closed = True
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._end_all)

    def _fan_out(self, frame: bytes) -> None:
        for stream in list(self._streams):
            try:
                stream.put_nowait(frame)
            except asyncio.QueueFull:
                log.warning(
                    "an event stream fell %d events behind and is closed; "
                    "its page reconnects and reloads",
                    QUEUE_EVENTS,
                )
                self._end(stream)

    def _end_all(self) -> None:
        for stream in list(self._streams):
            self._end(stream)

    def _end(self, stream: asyncio.Queue) -> None:
        self._streams.discard(stream)
        while not stream.empty():
            stream.get_nowait()
        stream.put_nowait(None)
