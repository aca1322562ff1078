"""Bounds on what one browser tab can make the server do over its websocket.

A tab is one socket.io connection. Each event it sends is queued for its state and handled in turn, so a script
emitting thousands of events at once would keep the worker busy for everyone else. Each connection gets a token
bucket: a burst of EVENT_BURST events, refilled at EVENT_RATE a second. Events past it are dropped (and logged once
per connection); a person clicking and typing never comes near it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger(__name__)

EVENT_BURST = 120
EVENT_RATE = 40.0  # events per second, sustained


class _Bucket:
    __slots__ = ("level", "stamp", "warned")

    def __init__(self, now: float) -> None:
        self.level = float(EVENT_BURST)
        self.stamp = now
        self.warned = False

    def take(self, now: float) -> bool:
        self.level = min(float(EVENT_BURST), self.level + (now - self.stamp) * EVENT_RATE)
        self.stamp = now
        if self.level < 1:
            return False
        self.level -= 1
        return True


def install(app: Any) -> None:  # noqa: ANN401 - the rx.App
    """Put the per-connection event budget in front of Reflex's websocket event handler."""
    namespace = getattr(app, "event_namespace", None)
    if namespace is None or getattr(namespace, "_portal_limited", False):
        return
    buckets: dict[str, _Bucket] = {}
    on_event = namespace.on_event
    on_disconnect = namespace.on_disconnect

    async def limited_on_event(sid: str, data: Any) -> None:  # noqa: ANN401 - whatever the client sent
        now = time.monotonic()
        bucket = buckets.get(sid)
        if bucket is None:
            bucket = buckets[sid] = _Bucket(now)
        if not bucket.take(now):
            if not bucket.warned:
                bucket.warned = True
                log.warning("websocket %s sends events faster than %s/s: dropping the excess", sid, EVENT_RATE)
            return
        await on_event(sid, data)

    def forget_on_disconnect(sid: str, *args: Any):  # noqa: ANN202, ANN401 - as Reflex's handler
        buckets.pop(sid, None)
        return on_disconnect(sid, *args)

    namespace.on_event = limited_on_event
    namespace.on_disconnect = forget_on_disconnect
    namespace._portal_limited = True
