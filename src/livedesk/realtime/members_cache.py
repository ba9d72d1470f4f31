"""The node's cache of who belongs to what (``lib.members``, ``lib.access`` read through
it), kept on the Runtime and dropped by the events that change it."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Literal, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from livedesk.realtime.envelope import Envelope

# Where the Runtime puts its cache in a database session's ``info``.
MEMBERS_CACHE = "livedesk.members_cache"
MEMBERS_TTL_SECS = 30.0

_V = TypeVar("_V")
# "chat": a live chat's members, by live chat id; "user": a user's roles, by user id.
Kind = Literal["chat", "user"]


class MembersCache:
    """Who belongs to what, as every request reads it, kept per node: a live chat's members
    (who must hear about a session) and a user's roles (what they may see).

    A ``membership.changed`` event passing the node's bus drops that live chat and every
    user's roles (every node receives it, the writing node included); a lost bus (Redis
    outage) drops everything; nothing is kept longer than ``ttl`` seconds in any case. A
    read that straddles a change is not kept (``generation``).
    """

    def __init__(self, ttl: float = MEMBERS_TTL_SECS) -> None:
        self.ttl = ttl
        self.generation = 0
        self._held: dict[tuple[Kind, int], tuple[float, Any]] = {}

    def get(self, kind: Kind, key: int) -> Any:
        held = self._held.get((kind, key))
        if held is None or time.monotonic() - held[0] > self.ttl:
            return None
        return held[1]

    def put(self, kind: Kind, key: int, value: Any, generation: int) -> None:
        """Keep ``value``, read while the cache was at ``generation``."""
        if generation == self.generation:
            self._held[(kind, key)] = (time.monotonic(), value)

    def forget(self, livechat_id: int | None = None) -> None:
        """Drop a live chat's members and every user's roles (everything: None)."""
        self.generation += 1
        self._held = {
            k: v
            for k, v in self._held.items()
            if livechat_id is not None and k[0] == "chat" and k[1] != livechat_id
        }

    def observe(self, envelopes: Iterable[Envelope]) -> None:
        for envelope in envelopes:
            if envelope.type == "membership.changed":
                chat = envelope.data.get("livechat_id")
                self.forget(chat if isinstance(chat, int) else None)


def members_cache(db: AsyncSession) -> MembersCache | None:
    """The node's cache, for sessions opened through the Runtime (None elsewhere)."""
    cache: MembersCache | None = db.info.get(MEMBERS_CACHE)
    return cache


async def read_through(
    db: AsyncSession, kind: Kind, key: int, read: Callable[[], Awaitable[_V]]
) -> _V:
    """What the node keeps for (kind, key), else ``read()`` (kept for the next time)."""
    cache = members_cache(db)
    if cache is None:
        return await read()
    held: _V | None = cache.get(kind, key)
    if held is not None:
        return held
    generation = cache.generation
    value = await read()
    cache.put(kind, key, value, generation)
    return value
