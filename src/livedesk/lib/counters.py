"""The counters of PRODUCT.md, computed from indexed queries (never a scan of all sessions).
The unassigned sessions of each live chat are not counted at all: ``livechat_counts``
holds them, kept by triggers on ``sessions`` (migration 0006), one row per live chat.

For user U:
- unread sessions: sessions assigned to U (active) whose newest countable message is past
  U's read cursor. U's own messages move U's cursor, so "newest countable message" is
  simply ``sessions.last_message_id``.
- red = unread sessions + unassigned sessions of live chats where U is supervisor;
- blue = unassigned sessions of live chats where U is operator.

``group_sizes``: how many sessions each of U's groups in the left menu holds (PRODUCT.md,
"Groups"), from the same indexes. They are for U's own reads (``GET /api/livechats``), not
for ``counters`` events: those are computed for many users inside writes, and the group
sizes move with the ``session.*`` events that every user concerned receives anyway.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)

from livedesk.db.session import DbSession
from livedesk.lib.access import Roles
from livedesk.models import (
    AuthorKind,
    ChatSession,
    LiveChatCount,
    Membership,
    Message,
    ReadCursor,
    SessionStatus,
)


def _unassigned(*lead: Any, livechats: Any) -> Select[Any]:
    """``(*lead, live chat, unassigned)`` of the live chats ``livechats`` names, where some
    wait: one primary-key row each of the kept counts."""
    return select(*lead, LiveChatCount.livechat_id, LiveChatCount.unassigned).where(
        LiveChatCount.livechat_id.in_(livechats), LiveChatCount.unassigned != 0
    )


def _unread(key: Any, assignee: ColumnElement[bool], *group_by: Any) -> Select[Any]:
    """``(key, live chat, sessions)``: active sessions of the assignees ``assignee`` selects
    whose last message is past the assignee's read cursor."""
    return (
        select(key, ChatSession.livechat_id, func.count())
        .outerjoin(
            ReadCursor,
            and_(
                ReadCursor.session_id == ChatSession.id,
                ReadCursor.user_id == ChatSession.assignee_id,
            ),
        )
        .where(
            assignee,
            ChatSession.status == SessionStatus.active,
            ChatSession.last_message_id > func.coalesce(ReadCursor.message_id, 0),
        )
        .group_by(*group_by, ChatSession.livechat_id)
    )


async def unassigned_by_livechat(db: DbSession, livechat_ids: frozenset[int]) -> dict[int, int]:
    """Unassigned sessions per live chat: one primary-key row each, kept by triggers."""
    if not livechat_ids:
        return {}
    rows = await db.execute(_unassigned(livechats=livechat_ids))
    return {lc: int(n) for lc, n in rows}


async def recount_unassigned(db: DbSession) -> None:
    """Rebuild ``livechat_counts`` from ``sessions``: after rows were written with the
    triggers off (the benchmark's bulk load skips them). Not for a database in use."""
    await db.execute(delete(LiveChatCount))
    S = ChatSession
    await db.execute(
        insert(LiveChatCount).from_select(
            ["livechat_id", "unassigned"],
            select(S.livechat_id, func.count())
            .where(S.status == SessionStatus.unassigned)
            .group_by(S.livechat_id),
        )
    )


def _users_counts() -> CompoundSelect[int, int, int, int, int]:
    """Several users' counters in one statement (one round trip), rows ``(kind, user, live
    chat, a, b)``: kind 0, a membership (a, b: operator, supervisor); kind 1, the kept
    unassigned count of one of their live chats (a; user 0); kind 2, a user's unread
    sessions in a live chat (a). Built once, as ``_ONE_USER_COUNTS``."""
    user_ids = bindparam("user_ids", expanding=True, type_=Integer)
    M = Membership
    memberships = select(
        literal(0, Integer),
        M.user_id,
        M.livechat_id,
        cast(M.is_operator, Integer),
        cast(M.is_supervisor, Integer),
    ).where(M.user_id.in_(user_ids))
    their_chats = select(M.livechat_id).where(M.user_id.in_(user_ids))
    unassigned = _unassigned(
        literal(1, Integer), literal(0, Integer), livechats=their_chats
    ).add_columns(literal(0, Integer))
    unread = _unread(
        ChatSession.assignee_id, ChatSession.assignee_id.in_(user_ids), ChatSession.assignee_id
    ).subquery()
    per_user = select(literal(2, Integer), *unread.c, literal(0, Integer))
    return union_all(memberships, unassigned, per_user)


_USERS_COUNTS = _users_counts()


async def counters_for_users(db: DbSession, user_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Counters of several users in one statement (for ``counters`` events), straight on
    the connection: the caller has flushed what they must count."""
    if not user_ids:
        return {}
    ops: dict[int, set[int]] = {u: set() for u in user_ids}
    sups: dict[int, set[int]] = {u: set() for u in user_ids}
    unassigned: dict[int, int] = {}
    unread: dict[int, dict[int, int]] = {}
    conn = await db.connection()
    rows = await conn.execute(_USERS_COUNTS, {"user_ids": sorted(user_ids)})
    for kind, user_id, livechat_id, a, b in rows:
        if kind == 1:
            unassigned[livechat_id] = int(a)
        elif kind == 2:
            unread.setdefault(user_id, {})[livechat_id] = int(a)
        else:
            if a:
                ops[user_id].add(livechat_id)
            if b:
                sups[user_id].add(livechat_id)
    return {
        u: _compose(Roles(u, frozenset(ops[u]), frozenset(sups[u])), unassigned, unread.get(u, {}))
        for u in user_ids
    }


def _one_user_counts() -> CompoundSelect[bool, int, int]:
    """One user's two counts in one statement (one round trip): ``(False, live chat,
    unassigned)`` rows of the kept counts, then ``(True, live chat, unread sessions)`` rows.
    Built once: the statement and its cache key are reused by every request."""
    livechats = bindparam("livechats", expanding=True, type_=Integer)
    unassigned = _unassigned(literal(False, Boolean).label("unread"), livechats=livechats)
    user_id = bindparam("user_id", type_=Integer)
    unread = _unread(literal(True, Boolean), ChatSession.assignee_id == user_id)
    return union_all(unassigned, unread)


_ONE_USER_COUNTS = _one_user_counts()


async def counters_for(db: DbSession, roles: Roles) -> dict[str, Any]:
    """One user's counters, for a read (``rt.read()``): the statement goes straight to the
    connection, so changes not yet flushed in ``db`` are not seen."""
    unassigned: dict[int, int] = {}
    unread: dict[int, int] = {}
    params = {"user_id": roles.user_id, "livechats": sorted(roles.livechats)}
    conn = await db.connection()
    for is_unread, livechat_id, n in await conn.execute(_ONE_USER_COUNTS, params):
        (unread if is_unread else unassigned)[livechat_id] = int(n)
    return _compose(roles, unassigned, unread)


def _compose(roles: Roles, unassigned: dict[int, int], unread: dict[int, int]) -> dict[str, Any]:
    """``unassigned``, ``unread``: per live chat, of the user's chats and maybe others."""
    unread_total = supervised = blue = 0
    per_chat = {}
    for lc in sorted(roles.livechats):
        n_unread, n_unassigned = unread.get(lc, 0), unassigned.get(lc, 0)
        unread_total += n_unread
        if lc in roles.supervisor_of:
            supervised += n_unassigned
        if lc in roles.operator_of:
            blue += n_unassigned
        per_chat[str(lc)] = {"unread_sessions": n_unread, "unassigned": n_unassigned}
    return {
        "red": unread_total + supervised,
        "blue": blue,
        "unread_sessions": unread_total,
        "unassigned_supervised": supervised,
        "livechats": per_chat,
    }


# Closed groups grow without end while the open ones stay as large as the day's work: their
# counts stop here, so that reading them costs the same after years of history. The menu
# shows "999+" from this number on.
CLOSED_COUNT_CAP = 1000


async def group_sizes(db: DbSession, roles: Roles) -> dict[int, dict[str, int | None]]:
    """Per live chat of the user: mine, unassigned, active, closed, as ``GET
    /api/sessions?group=`` lists them; None for a group the user does not have there.
    ``closed`` stops at ``CLOSED_COUNT_CAP``. A few grouped queries, whatever the sizes."""
    S = ChatSession
    unassigned = await unassigned_by_livechat(db, roles.livechats)
    active: dict[int, int] = {}
    if roles.supervisor_of:
        rows = await db.execute(
            select(S.livechat_id, func.count())
            .where(S.livechat_id.in_(roles.supervisor_of), S.status == SessionStatus.active)
            .group_by(S.livechat_id)
        )
        active = {lc: int(n) for lc, n in rows}
    mine: dict[int, int] = {}
    if roles.operator_of:
        rows = await db.execute(
            select(S.livechat_id, func.count())
            .where(S.assignee_id == roles.user_id, S.status == SessionStatus.active)
            .group_by(S.livechat_id)
        )
        mine = {lc: int(n) for lc, n in rows}
    closed = await _closed_by_livechat(db, roles)
    return {
        lc: {
            "mine": mine.get(lc, 0) if lc in roles.operator_of else None,
            "unassigned": unassigned.get(lc, 0),
            "active": active.get(lc, 0) if lc in roles.supervisor_of else None,
            "closed": closed.get(lc, 0),
        }
        for lc in roles.livechats
    }


async def _closed_by_livechat(db: DbSession, roles: Roles) -> dict[int, int]:
    """Closed sessions per live chat (all of them where supervisor, else those that were
    mine), each count stopping at ``CLOSED_COUNT_CAP``: one statement, one bounded index
    range per live chat."""
    if not roles.livechats:
        return {}
    parts: list[Select[Any]] = []
    for lc in sorted(roles.livechats):
        query = select(ChatSession.livechat_id).where(
            ChatSession.livechat_id == lc, ChatSession.status == SessionStatus.closed
        )
        if lc not in roles.supervisor_of:
            query = query.where(ChatSession.last_assignee_id == roles.user_id)
        capped = query.limit(CLOSED_COUNT_CAP).subquery()
        parts.append(select(capped.c.livechat_id, func.count()).group_by(capped.c.livechat_id))
    rows = await db.execute(parts[0] if len(parts) == 1 else union_all(*parts))
    return {lc: int(n) for lc, n in rows}


def countable_for(user_id: int) -> Any:
    """Messages that count as unread for ``user_id``: the customer's, other operators'."""
    return and_(
        Message.author_kind.in_((AuthorKind.customer, AuthorKind.operator)),
        func.coalesce(Message.author_id, -1) != user_id,
    )


async def unread_counts(db: DbSession, user_id: int, session_ids: list[int]) -> dict[int, int]:
    """Per-session unread messages for a page of sessions (one grouped query)."""
    if not session_ids:
        return {}
    cursor = func.coalesce(ReadCursor.message_id, 0)
    rows = await db.execute(
        select(Message.session_id, func.count())
        .outerjoin(
            ReadCursor,
            and_(ReadCursor.session_id == Message.session_id, ReadCursor.user_id == user_id),
        )
        .where(Message.session_id.in_(session_ids), Message.id > cursor, countable_for(user_id))
        .group_by(Message.session_id)
    )
    return {sid: int(n) for sid, n in rows}
