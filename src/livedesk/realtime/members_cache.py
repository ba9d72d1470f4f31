"""The node's cache of who belongs to what (``lib.members``, ``lib.access`` read through
it), kept on the Runtime and dropped by the events that change it."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from livedesk.realtime.envelope import Envelope

# Where the Runtime puts its cache in a database session's ``info``.
MEMBERS_CACHE = "livedesk.members_cache"
MEMBERS_TTL_SECS = 30.0

_V = TypeVar("_V")


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
        self._chats: dict[int, tuple[float, Any]] = {}
        self._users: dict[int, tuple[float, Any]] = {}

    def _fresh(self, held: tuple[float, _V] | None) -> _V | None:
        if held is None or time.monotonic() - held[0] > self.ttl:
            return None
        return held[1]

    def get(self, livechat_id: int) -> Any:
        return self._fresh(self._chats.get(livechat_id))

    def put(self, livechat_id: int, members: Any, generation: int) -> None:
        """Keep ``members`` read while the cache was at ``generation``."""
        if generation == self.generation:
            self._chats[livechat_id] = (time.monotonic(), members)

    def get_roles(self, user_id: int) -> Any:
        return self._fresh(self._users.get(user_id))

    def put_roles(self, user_id: int, roles: Any, generation: int) -> None:
        if generation == self.generation:
            self._users[user_id] = (time.monotonic(), roles)

    def forget(self, livechat_id: int | None = None) -> None:
        self.generation += 1
        self._users.clear()
        if livechat_id is None:
            self._chats.clear()
        else:
            self._chats.pop(livechat_id, None)

    def observe(self, envelopes: Iterable[Envelope]) -> None:
        for envelope in envelopes:
            if envelope.type == "membership.changed":
                chat = envelope.data.get("livechat_id")
                self.forget(chat if isinstance(chat, int) else None)


def members_cache(db: AsyncSession) -> MembersCache | None:
    """The node's cache, for sessions opened through the Runtime (None elsewhere)."""
    cache: MembersCache | None = db.info.get(MEMBERS_CACHE)
    return cache
