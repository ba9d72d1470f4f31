"""Event buses: carry committed events to every node's socket hub.

``MemoryBus`` delivers within the process (one node). ``RedisBus`` publishes on a Redis
pub/sub channel that every node subscribes to, the publisher included, so that all nodes
see events in one order. When the Redis connection drops, events stay safe in the
database log; on reconnect the hub asks every socket to catch up from the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

import orjson
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from livedesk.realtime.envelope import Envelope

log = logging.getLogger(__name__)

Deliver = Callable[[list[Envelope]], None]
OnReconnect = Callable[[], Awaitable[None]]

REDIS_CHANNEL = "livedesk:events"
RECONNECT_MIN_SECS = 0.2
RECONNECT_MAX_SECS = 5.0


class EventBus(Protocol):
    async def start(self, deliver: Deliver, on_reconnect: OnReconnect) -> None: ...

    async def publish(self, envelopes: list[Envelope]) -> None: ...

    async def ready(self) -> bool: ...

    async def stop(self) -> None: ...


class MemoryBus:
    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver, on_reconnect: OnReconnect) -> None:
        self._deliver = deliver

    async def publish(self, envelopes: list[Envelope]) -> None:
        if self._deliver is not None:
            self._deliver(envelopes)

    async def ready(self) -> bool:
        return True

    async def stop(self) -> None:
        self._deliver = None


class RedisBus:
    def __init__(self, url: str, channel: str = REDIS_CHANNEL) -> None:
        self._url = url
        self._channel = channel
        self._redis: aioredis.Redis = aioredis.Redis.from_url(url)
        self._task: asyncio.Task[None] | None = None
        self._publish_failed = False
        self._on_reconnect: OnReconnect | None = None
        self._subscribed = False

    async def start(self, deliver: Deliver, on_reconnect: OnReconnect) -> None:
        self._on_reconnect = on_reconnect
        connected = asyncio.Event()
        self._task = asyncio.create_task(self._listen(deliver, connected))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(connected.wait(), 5)

    async def publish(self, envelopes: list[Envelope]) -> None:
        payload = orjson.dumps([e.to_wire() for e in envelopes])
        try:
            await self._redis.publish(self._channel, payload)
        except (aioredis.ConnectionError, aioredis.TimeoutError, OSError):
            # The events are committed; sockets catch up from the log once Redis is back.
            self._publish_failed = True
            log.warning("event bus: publish failed; sockets will catch up from the log")

    async def ready(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (aioredis.ConnectionError, aioredis.TimeoutError, OSError):
            return False

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()

    async def _listen(self, deliver: Deliver, connected: asyncio.Event) -> None:
        delay = RECONNECT_MIN_SECS
        first = True
        while True:
            try:
                await self._subscribe_once(deliver, connected, resumed=not first)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event bus: redis subscription lost (%s); retrying", exc)
            if self._subscribed:  # it worked for a while: the next outage starts over
                self._subscribed = False
                delay = RECONNECT_MIN_SECS
            first = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECS)

    async def _subscribe_once(
        self, deliver: Deliver, connected: asyncio.Event, *, resumed: bool
    ) -> None:
        # No silent retries: every lost subscription must surface here, so that the
        # resubscribe below catches up from the log (what was published meanwhile is gone).
        client: aioredis.Redis = aioredis.Redis.from_url(self._url, retry=Retry(NoBackoff(), 0))
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            connected.set()
            self._subscribed = True
            if (resumed or self._publish_failed) and self._on_reconnect is not None:
                self._publish_failed = False
                await self._on_reconnect()
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    raw = orjson.loads(message["data"])
                    deliver([Envelope.from_wire(item) for item in raw])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
            with contextlib.suppress(Exception):
                await client.aclose()


def create_bus(redis_url: str, channel: str = REDIS_CHANNEL) -> EventBus:
    return RedisBus(redis_url, channel) if redis_url else MemoryBus()
