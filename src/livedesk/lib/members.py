"""A live chat's members, and who must hear about a session (the event audience)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, bindparam, select

from livedesk.db.session import DbSession
from livedesk.models import ChatSession, Membership, SessionStatus, User, UserStatus
from livedesk.realtime.members_cache import read_through


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


async def load_members(db: DbSession, livechat_id: int) -> ChatMembers:
    return await read_through(db, "chat", livechat_id, lambda: _read_members(db, livechat_id))


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


# Built once: a customer's message asks who of the operators to alert is there.
def _with_status(*wanted: UserStatus) -> Select[int]:
    return select(User.id).where(
        User.id.in_(bindparam("user_ids", expanding=True)), User.status.in_(wanted)
    )


_ONLINE = _with_status(UserStatus.online)
_ONLINE_OR_AWAY = _with_status(UserStatus.online, UserStatus.away)


async def online_users(
    db: DbSession, user_ids: frozenset[int] | set[int], *, or_away: bool = False
) -> set[int]:
    """Those of ``user_ids`` who are online (``or_away``: online or away, not offline)."""
    if not user_ids:
        return set()
    query = _ONLINE_OR_AWAY if or_away else _ONLINE
    rows = await db.execute(query, {"user_ids": sorted(user_ids)})
    return set(rows.scalars())
