"""Session life: take, take-next, assign, close (PRODUCT.md, "Session life")."""

from __future__ import annotations

from sqlalchemy import select, update

from livedesk.actions.events import (
    stage_counters,
    stage_message,
    stage_session_event,
    system_line,
)
from livedesk.db.session import DbSession
from livedesk.lib.access import Roles, access_session
from livedesk.lib.errors import ApiError, conflict, not_found, unprocessable
from livedesk.lib.members import ChatMembers, load_members
from livedesk.models import (
    Assignment,
    ChatSession,
    Message,
    ReadCursor,
    SessionStatus,
    User,
    UserStatus,
)
from livedesk.models.base import utcnow
from livedesk.realtime.envelope import contact_recipient
from livedesk.realtime.log import stage_event

TAKE_NEXT_ATTEMPTS = 20


def _check_operator(roles: Roles, user: User, livechat_id: int) -> None:
    if livechat_id not in roles.operator_of:
        raise ApiError(403, "not_an_operator", "Only operators of this live chat take sessions.")
    if user.status is UserStatus.offline:
        raise conflict("operator_offline", "You are offline: go online to take sessions.")


async def _record_assignment(
    db: DbSession, s: ChatSession, actor: User, before: int | None, target: User, verb: str
) -> Message:
    db.add(
        Assignment(session_id=s.id, actor_id=actor.id, from_user_id=before, to_user_id=target.id)
    )
    prev_name: str | None = None
    if verb == "taken":
        text = f"{target.name} took the session"
    elif before is None:
        text = f"{actor.name} assigned the session to {target.name}"
    else:
        prev = await db.get(User, before)
        prev_name = prev.name if prev else "?"
        text = f"{actor.name} reassigned the session from {prev_name} to {target.name}"
    # Names as they were, so that clients can word the line in their own language.
    line = system_line(
        s,
        verb,
        text,
        actor_id=actor.id,
        actor_name=actor.name,
        from_user_id=before,
        from_user_name=prev_name,
        to_user_id=target.id,
        to_user_name=target.name,
    )
    db.add(line)
    await db.flush()
    return line


async def _already_taken(db: DbSession, session_id: int) -> ApiError:
    s = await db.get(ChatSession, session_id, populate_existing=True)
    if s is None:
        return not_found("session")
    if s.status is SessionStatus.closed:
        return conflict("session_closed", "This session is closed.")
    holder = await db.get(User, s.assignee_id) if s.assignee_id else None
    who = holder.name if holder else "another operator"
    return conflict("session_already_taken", f"This session is already taken by {who}.")


async def _claim(db: DbSession, user: User, session_id: int) -> bool:
    """The atomic step of a take: exactly one concurrent claimer sees True."""
    result = await db.execute(
        update(ChatSession)
        .where(ChatSession.id == session_id, ChatSession.status == SessionStatus.unassigned)
        .values(status=SessionStatus.active, assignee_id=user.id, last_assignee_id=user.id)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _after_take(db: DbSession, user: User, s: ChatSession, members: ChatMembers) -> None:
    await db.refresh(s)
    line = await _record_assignment(db, s, user, None, user, "taken")
    audience = members.everyone
    await stage_session_event(
        db, "session.taken", s, audience, by={"id": user.id, "name": user.name}
    )
    stage_message(db, line, members.who_see(s), to_customer=False)
    await stage_counters(db, members.everyone)


async def do_take(db: DbSession, user: User, roles: Roles, session_id: int) -> ChatSession:
    s = await db.get(ChatSession, session_id)
    # An operator who lost the race no longer sees the session, yet must hear who won it.
    lost_race = s is not None and s.livechat_id in roles.operator_of and s.assignee_id is not None
    if s is None or not (roles.can_see(s) or (lost_race and s.status is SessionStatus.active)):
        raise not_found("session")
    _check_operator(roles, user, s.livechat_id)
    if not await _claim(db, user, session_id):
        raise await _already_taken(db, session_id)
    await _after_take(db, user, s, await load_members(db, s.livechat_id))
    return s


async def do_take_next(
    db: DbSession, user: User, roles: Roles, livechat_id: int | None
) -> ChatSession:
    """Take the unassigned session that has waited longest in my live chats (or in one)."""
    if livechat_id is not None and livechat_id not in roles.livechats:
        raise not_found("live chat")
    chats = roles.operator_of if livechat_id is None else roles.operator_of & {livechat_id}
    # An operator of none of my live chats is refused, not told that nothing waits.
    _check_operator(roles, user, livechat_id if livechat_id is not None else min(chats, default=-1))
    for _ in range(TAKE_NEXT_ATTEMPTS):
        query = (
            select(ChatSession)
            .where(
                ChatSession.livechat_id.in_(chats), ChatSession.status == SessionStatus.unassigned
            )
            .order_by(ChatSession.waiting_since, ChatSession.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        s = (await db.execute(query)).scalar_one_or_none()
        if s is None:
            break
        if await _claim(db, user, s.id):
            await _after_take(db, user, s, await load_members(db, s.livechat_id))
            return s
    raise not_found_waiting()


def not_found_waiting() -> ApiError:
    return ApiError(404, "no_waiting_sessions", "No sessions are waiting.")


async def _has_unread(db: DbSession, user_id: int, s: ChatSession) -> bool:
    """Whether ``s`` is unread for the user (as ``lib/counters.py`` counts it when assigned)."""
    if s.last_message_id is None:
        return False
    cursor = await db.get(ReadCursor, (user_id, s.id))
    return (cursor.message_id if cursor else 0) < s.last_message_id


def _check_can_assign(roles: Roles, user: User, s: ChatSession) -> None:
    if s.status is SessionStatus.closed:
        raise conflict("session_closed", "This session is closed.")
    if s.livechat_id in roles.supervisor_of:
        return
    if s.assignee_id != user.id:
        raise ApiError(403, "not_assignee", "Operators can only hand over their own sessions.")


async def do_assign(
    db: DbSession, user: User, roles: Roles, session_id: int, operator_id: int
) -> ChatSession:
    s = await access_session(db, roles, session_id, for_update=True)
    _check_can_assign(roles, user, s)
    members = await load_members(db, s.livechat_id)
    target = await db.get(User, operator_id)
    if target is None or operator_id not in members.operators or not target.is_active:
        raise unprocessable("invalid_operator", "operator_id is not an operator of this live chat.")
    if s.assignee_id == operator_id and s.status is SessionStatus.active:
        return s
    before_audience = members.who_see(s)
    before, was_unassigned = s.assignee_id, s.status is SessionStatus.unassigned
    s.status, s.assignee_id, s.last_assignee_id = SessionStatus.active, target.id, target.id
    line = await _record_assignment(db, s, user, before, target, "assigned")
    audience = before_audience | members.who_see(s)
    await stage_session_event(
        db,
        "session.assigned",
        s,
        audience,
        by={"id": user.id, "name": user.name},
        from_user_id=before,
    )
    stage_message(db, line, audience, to_customer=False)
    changed = set(members.everyone) if was_unassigned else set()
    changed |= {u for u in (before, target.id) if u and await _has_unread(db, u, s)}
    await stage_counters(db, changed)
    return s


async def do_close(db: DbSession, user: User, roles: Roles, session_id: int) -> ChatSession:
    s = await access_session(db, roles, session_id, for_update=True)
    if s.status is SessionStatus.closed:
        raise conflict("session_closed", "This session is already closed.")
    if s.livechat_id not in roles.supervisor_of and s.assignee_id != user.id:
        raise ApiError(403, "not_assignee", "Only the assigned operator or a supervisor can close.")
    members = await load_members(db, s.livechat_id)
    audience = members.who_see(s)
    was_unassigned = s.status is SessionStatus.unassigned
    s.status, s.closed_at = SessionStatus.closed, utcnow()
    if s.assignee_id is not None:
        s.last_assignee_id = s.assignee_id
    line = system_line(
        s, "closed", f"{user.name} closed the session", actor_id=user.id, actor_name=user.name
    )
    db.add(line)
    await db.flush()
    await stage_session_event(
        db, "session.closed", s, audience, by={"id": user.id, "name": user.name}
    )
    stage_message(db, line, audience, to_customer=False)
    stage_event(db, "session.closed", {"session_id": s.id}, [contact_recipient(s.contact_id)])
    changed = set(members.everyone) if was_unassigned else set()
    if s.assignee_id is not None and await _has_unread(db, s.assignee_id, s):
        changed.add(s.assignee_id)
    await stage_counters(db, changed)
    return s
