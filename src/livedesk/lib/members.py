"""A live chat's members, and who must hear about a session (the event audience)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select

from livedesk.db.session import DbSession
from livedesk.models import ChatSession, Membership, SessionStatus, User, UserStatus
from livedesk.realtime.envelope import Envelope

# The node's members cache (``db.info``); see MembersCache.
MEMBERS_CACHE = "livedesk.members_cache"
MEMBERS_TTL_SECS = 30.0

_V = TypeVar("_V")


@dataclass(frozen=True)
class ChatMembers:
    livechat_id: int
    operators: frozenset[int]
    supervisors: frozenset[int]

    @property
    def everyone(self) -> frozenset[int]:
        return self.operators | self.supervisors

    def who_see(self, s: ChatSession) -> set[int]:
        """Users who may see ``s`` in its current state (mirrors ``Roles.can_see``)."""
        seen = set(self.supervisors)
        if s.status is SessionStatus.unassigned:
            seen |= self.operators
        for user_id in (s.assignee_id, s.last_assignee_id):
            if user_id is not None and user_id in self.operators:
                seen.add(user_id)
        return seen


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
        self._chats: dict[int, tuple[float, ChatMembers]] = {}
        self._users: dict[int, tuple[float, Any]] = {}

    def _fresh(self, held: tuple[float, _V] | None) -> _V | None:
        if held is None or time.monotonic() - held[0] > self.ttl:
            return None
        return held[1]

    def get(self, livechat_id: int) -> ChatMembers | None:
        return self._fresh(self._chats.get(livechat_id))

    def put(self, members: ChatMembers, generation: int) -> None:
        """Keep ``members`` read while the cache was at ``generation``."""
        if generation == self.generation:
            self._chats[members.livechat_id] = (time.monotonic(), members)

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


def members_cache(db: DbSession) -> MembersCache | None:
    """The node's cache, for sessions opened through the Runtime (None elsewhere)."""
    cache: MembersCache | None = db.info.get(MEMBERS_CACHE)
    return cache


async def load_members(db: DbSession, livechat_id: int) -> ChatMembers:
    cache = members_cache(db)
    if cache is None:
        return await _read_members(db, livechat_id)
    held = cache.get(livechat_id)
    if held is not None:
        return held
    generation = cache.generation
    members = await _read_members(db, livechat_id)
    cache.put(members, generation)
    return members


async def _read_members(db: DbSession, livechat_id: int) -> ChatMembers:
    rows = await db.execute(
        select(Membership.user_id, Membership.is_operator, Membership.is_supervisor).where(
            Membership.livechat_id == livechat_id
        )
    )
    ops, sups = set(), set()
    for user_id, is_op, is_sup in rows:
        if is_op:
            ops.add(user_id)
        if is_sup:
            sups.add(user_id)
    return ChatMembers(livechat_id, frozenset(ops), frozenset(sups))


async def online_users(
    db: DbSession, user_ids: frozenset[int] | set[int], *, or_away: bool = False
) -> set[int]:
    """Those of ``user_ids`` who are online (``or_away``: online or away, not offline)."""
    if not user_ids:
        return set()
    wanted = (UserStatus.online, UserStatus.away) if or_away else (UserStatus.online,)
    rows = await db.execute(select(User.id).where(User.id.in_(user_ids), User.status.in_(wanted)))
    return set(rows.scalars())
