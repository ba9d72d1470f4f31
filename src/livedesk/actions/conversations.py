"""Messages in sessions: the customer writes (opening a session when none is open), operators
reply, read cursors move. Session life changes (take, assign, close) are in ``sessions.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, inspect, select, tuple_
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from livedesk.actions.events import (
    CountersLater,
    session_payloads,
    stage_counters,
    stage_message,
    users,
)
from livedesk.actions.files import attach, attachment_of, claim_uploads
from livedesk.actions.outbox import MESSENGER_KINDS, enqueue_reply
from livedesk.db.dialect import SQLITE, dialect_name, insert_returning_ids, update_rows
from livedesk.db.session import DbSession
from livedesk.lib.access import Roles, access_session
from livedesk.lib.errors import ApiError, conflict, not_found
from livedesk.lib.members import load_members, online_users
from livedesk.lib.present import BriefContact
from livedesk.lib.textsearch import fold
from livedesk.models import (
    AuthorKind,
    Channel,
    ChannelKind,
    ChatSession,
    Contact,
    Message,
    ReadCursor,
    SessionStatus,
    User,
)
from livedesk.models.base import utcnow
from livedesk.realtime.log import stage_event


async def _cursor_of(db: DbSession, user_id: int, session_id: int) -> int:
    row = await db.get(ReadCursor, (user_id, session_id))
    return row.message_id if row else 0


async def move_cursor(db: DbSession, user_id: int, session_id: int, message_id: int) -> bool:
    """Read markers only move forward. True when the cursor moved."""
    row = await db.get(ReadCursor, (user_id, session_id), with_for_update=True)
    if row is None:
        db.add(ReadCursor(user_id=user_id, session_id=session_id, message_id=message_id))
        return True
    if message_id <= row.message_id:
        return False
    row.message_id = message_id
    return True


def _new_session(contact: ContactRef, channel: ChannelRef) -> ChatSession:
    now = utcnow()
    return ChatSession(
        livechat_id=contact.livechat_id,
        contact_id=contact.id,
        channel_id=channel.id,
        channel_kind=channel.kind,
        name=contact.name,
        search_name=fold(contact.name),
        status=SessionStatus.unassigned,
        assignee_id=None,
        last_assignee_id=None,
        created_at=now,
        waiting_since=now,
        closed_at=None,
        last_message_id=None,
        last_activity_at=now,
    )


SESSIONS = cast(Table, ChatSession.__table__)
MESSAGES = cast(Table, Message.__table__)
_FIELDS = {t.name: [c.key for c in t.columns if c.key != "id"] for t in (SESSIONS, MESSAGES)}


async def _insert_rows(db: DbSession, into: Table, rows: Sequence[Any]) -> None:
    """New ORM objects (every column set) written with one Core INSERT, their ids set on
    them: the ORM's unit of work would do the same statement with bookkeeping for each
    row that cost more than it (and, on SQLite, one row per statement)."""
    fields = _FIELDS[into.name]
    values = [{key: getattr(row, key) for key in fields} for row in rows]
    for row, row_id in zip(rows, await insert_returning_ids(db, into, values), strict=True):
        row.id = row_id


async def _insert_sessions(db: DbSession, sessions: Sequence[ChatSession]) -> None:
    """New sessions (every column set, as ``_new_session`` sets them), then in the
    transaction as if read from it, so later changes are written as updates."""
    await _insert_rows(db, SESSIONS, sessions)
    for s in sessions:
        make_transient_to_detached(s)
        db.add(s)


async def _was_read_by(db: DbSession, user_id: int | None, s: ChatSession) -> bool:
    if user_id is None or s.last_message_id is None:
        return True
    return await _cursor_of(db, user_id, s.id) >= s.last_message_id


class ContactRef(BriefContact, Protocol):
    """A contact as a customer's message needs it: a ``Contact`` row, or its values."""

    @property
    def livechat_id(self) -> int: ...


class ChannelRef(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> ChannelKind: ...


@dataclass(frozen=True)
class CustomerText:
    """A customer's message to store: ``attachments`` as ``attachment_of()`` gives them."""

    contact: ContactRef
    channel: ChannelRef
    text: str
    attachments: list[Any] = field(default_factory=list)
    external_id: str | None = None


async def do_customer_message(
    db: DbSession,
    contact: Contact,
    channel: Channel,
    text: str,
    attachments: list[Any] | None = None,
    external_id: str | None = None,
) -> Message:
    """Store a customer's message; open a new unassigned session when none is open."""
    item = CustomerText(contact, channel, text, attachments or [], external_id)
    return (await do_customer_messages(db, [item]))[0]


# Built once, as every statement of customers' messages (the hottest write): building one
# costs more than running it on a small batch.
_OPEN_SESSIONS_OF = (
    select(ChatSession)
    .where(
        ChatSession.contact_id.in_(bindparam("contact_ids", expanding=True)),
        ChatSession.status != SessionStatus.closed,
    )
    .with_for_update()
)


async def do_customer_messages(
    db: DbSession, items: Sequence[CustomerText], *, contacts_locked: bool = False
) -> list[Message]:
    """Store customers' messages in the order given, each in its contact's open session
    (a new unassigned one when none is open), as one after the other would; several at
    once share their statements (sessions, cursors, messages and counters are each read
    or written once for all). ``contacts_locked``: the caller's transaction has locked
    the contacts' rows already, in id order (``FOR UPDATE``)."""
    contact_ids = sorted({i.contact.id for i in items})
    if dialect_name(db) != SQLITE and not contacts_locked:
        # Two first messages of one contact at once must open one session: the contacts'
        # row locks make them take turns (SQLite's writers always do: BEGIN IMMEDIATE).
        await db.execute(
            select(Contact.id)
            .where(Contact.id.in_(contact_ids))
            .order_by(Contact.id)
            .with_for_update()
        )
    found = await db.execute(_OPEN_SESSIONS_OF, {"contact_ids": contact_ids})
    session_of = {s.contact_id: s for s in found.scalars()}
    opened: dict[int, ChatSession] = {}
    for i in items:
        if i.contact.id not in session_of:
            s = session_of[i.contact.id] = opened[i.contact.id] = _new_session(i.contact, i.channel)
    if opened:
        # In live chat order: each new session adds one to its live chat's row of
        # livechat_counts (a trigger), and writers that lock those rows in one order
        # never wait on each other in a circle.
        await _insert_sessions(db, sorted(opened.values(), key=lambda s: s.livechat_id))
    had_read = await _read_by_assignees(db, list(session_of.values()))
    messages = [_customer_message(session_of[i.contact.id], i) for i in items]
    await _insert_messages(db, messages)
    chats = {s.livechat_id for s in session_of.values()}
    members_of = {lc: await load_members(db, lc) for lc in chats}
    # Who may be alerted (the operators of the chats where a session opens, the assignees
    # who had read everything), and of those who is online or away: one query for the batch.
    alertable = {
        s.assignee_id
        for s in session_of.values()
        if s.assignee_id is not None and had_read.get(s.id, True)
    }
    for s in opened.values():
        alertable |= members_of[s.livechat_id].operators
    online = await online_users(db, alertable, or_away=True)
    created = await _created_payloads(db, opened, items, messages)
    counters = CountersLater(db)
    for i, m in zip(items, messages, strict=True):
        s = session_of[i.contact.id]
        _set_last_message(s, m)
        members = members_of[s.livechat_id]
        audience = members.who_see(s)
        if (payload := created.pop(i.contact.id, None)) is not None:
            stage_event(db, "session.created", {"session": payload}, users(audience))
            _stage_alert(db, s, m, members.operators & online)
            counters.moved(members.everyone)
        elif s.assignee_id is not None and had_read.get(s.id, True):
            _stage_alert(db, s, m, {s.assignee_id} & online)
            counters.moved({s.assignee_id})
        had_read[s.id] = False  # the session's next message in this batch finds it unread
        stage_message(db, m, audience, to_customer=True)
    # Before the counters: they count unread sessions by their last message.
    await update_rows(
        db,
        SESSIONS,
        [
            {
                "id": s.id,
                "last_message_id": s.last_message_id,
                "last_activity_at": s.last_activity_at,
            }
            for s in session_of.values()
        ],
    )
    await counters.stage()
    return messages


def _set_last_message(s: ChatSession, m: Message) -> None:
    # Written in one statement for the batch, not by the unit of work (its bookkeeping
    # for each object cost more than the update).
    set_committed_value(s, "last_message_id", m.id)
    set_committed_value(s, "last_activity_at", m.created_at)


async def _created_payloads(
    db: DbSession,
    opened: dict[int, ChatSession],
    items: Sequence[CustomerText],
    messages: Sequence[Message],
) -> dict[int, dict[str, Any]]:
    """The ``session.created`` payloads of the sessions a batch opens (by contact id), each
    with its first message of the batch as its last: all in one go, from the contacts and
    messages at hand (a burst of new visitors is the costliest batch there is)."""
    if not opened:
        return {}
    first: dict[int, tuple[CustomerText, Message]] = {}
    for i, m in zip(items, messages, strict=True):
        if i.contact.id in opened:
            first.setdefault(i.contact.id, (i, m))
    for contact_id, s in opened.items():
        _set_last_message(s, first[contact_id][1])
    payloads = await session_payloads(
        db,
        list(opened.values()),
        [m for _, m in first.values()],
        [i.contact for i, _ in first.values()],
    )
    return dict(zip(opened, payloads, strict=True))


# A batch's messages are built as a query would load them: their values set as they are,
# with no history of changes, since only a Core statement writes them (_insert_messages),
# never the session. Setting each attribute through ``Message(...)`` cost more than the
# row's insert.
_new_message = inspect(Message).class_manager.new_instance


def _customer_message(s: ChatSession, i: CustomerText) -> Message:
    # Every column but the id is set here: the row is written from these values.
    m = _new_message()
    m.__dict__.update(
        session_id=s.id,
        livechat_id=s.livechat_id,
        contact_id=i.contact.id,
        author_kind=AuthorKind.customer,
        author_id=None,
        author_name=i.contact.name,
        text=i.text,
        search_text=searchable(i.text, i.attachments),
        attachments=i.attachments,
        internal=False,
        system=None,
        channel_kind=i.channel.kind.value,
        delivery_state=None,
        delivery_error=None,
        external_id=i.external_id,
        created_at=utcnow(),
    )
    return m


async def _insert_messages(db: DbSession, messages: Sequence[Message]) -> None:
    """New messages in one Core INSERT; the objects stay outside the session (nothing
    changes them later in the transaction)."""
    await _insert_rows(db, MESSAGES, messages)


_CURSORS_OF = select(ReadCursor.user_id, ReadCursor.session_id, ReadCursor.message_id).where(
    tuple_(ReadCursor.user_id, ReadCursor.session_id).in_(bindparam("pairs", expanding=True))
)


async def _read_by_assignees(db: DbSession, sessions: Sequence[ChatSession]) -> dict[int, bool]:
    """For each session with an assignee and messages: has the assignee read them all?"""
    wanted = {
        (s.assignee_id, s.id): s.last_message_id
        for s in sessions
        if s.assignee_id is not None and s.last_message_id is not None
    }
    if not wanted:
        return {}
    rows = await db.execute(_CURSORS_OF, {"pairs": list(wanted)})
    cursors = {(r.user_id, r.session_id): r.message_id for r in rows}
    return {sid: cursors.get((uid, sid), 0) >= last for (uid, sid), last in wanted.items()}


def _stage_alert(db: DbSession, s: ChatSession, m: Message, online: AbstractSet[int]) -> None:
    """Alerts go to operators who are online or away (``online``); offline ones get none."""
    data = {
        "session_id": s.id,
        "livechat_id": s.livechat_id,
        "name": s.name,
        "channel_kind": s.channel_kind.value,
        "preview": preview_of(m),
        "new_session": s.status is SessionStatus.unassigned,
    }
    stage_event(db, "alert", data, users(online))


def _check_can_write(roles: Roles, user: User, s: ChatSession, internal: bool) -> None:
    if s.status is SessionStatus.closed:
        raise conflict("session_closed", "This session is closed.")
    if s.livechat_id in roles.supervisor_of or s.assignee_id == user.id or internal:
        return
    if s.status is SessionStatus.unassigned:
        raise conflict("session_not_taken", "Take the session before replying.")
    raise ApiError(403, "not_assignee", "Only the assigned operator can reply in this session.")


def preview_of(m: Message) -> str:
    """A message in one short line: its text, else its attachments' names."""
    if m.text.strip():
        return m.text[:200]
    names = [str(a.get("name") or "") for a in m.attachments or [] if isinstance(a, dict)]
    return ("📎 " + ", ".join(names))[:200] if names else ""


def searchable(text: str, attachments: list[Any] | None) -> str:
    """What search matches in a message: its text and its attachments' names."""
    names = [str(a.get("name") or "") for a in attachments or [] if isinstance(a, dict)]
    return fold(" ".join([text, *names]) if names else text)


async def do_operator_message(
    db: DbSession,
    user: User,
    roles: Roles,
    session_id: int,
    text: str,
    internal: bool,
    attachment_ids: list[int] | None = None,
) -> Message:
    """An operator's reply (to the customer) or internal note (operators only)."""
    s = await access_session(db, roles, session_id, for_update=True)
    _check_can_write(roles, user, s, internal)
    files = await claim_uploads(
        db, attachment_ids or [], livechat_id=s.livechat_id, uploader=f"u{user.id}"
    )
    attachments = [attachment_of(f) for f in files]
    assignee_had_read = await _was_read_by(db, s.assignee_id, s)
    m = Message(
        session_id=s.id,
        livechat_id=s.livechat_id,
        contact_id=s.contact_id,
        author_kind=AuthorKind.operator,
        author_id=user.id,
        author_name=user.name,
        text=text,
        search_text=searchable(text, attachments),
        attachments=attachments,
        internal=internal,
        channel_kind=None if internal else s.channel_kind.value,
        created_at=utcnow(),
    )
    db.add(m)
    await db.flush()
    attach(m, files)
    s.last_message_id = m.id
    s.last_activity_at = m.created_at
    await move_cursor(db, user.id, s.id, m.id)
    if not internal and s.channel_kind in MESSENGER_KINDS:
        await enqueue_reply(db, s, m)  # delivery_state "pending"; the outbox sends it
    members = await load_members(db, s.livechat_id)
    stage_message(db, m, members.who_see(s), to_customer=True)
    if s.assignee_id is not None and s.assignee_id != user.id and assignee_had_read:
        await stage_counters(db, {s.assignee_id})
    if s.assignee_id == user.id and not assignee_had_read:
        await stage_counters(db, {user.id})  # their own reply moved their cursor: read now
    return m


async def do_read(db: DbSession, user: User, roles: Roles, session_id: int, message_id: int) -> int:
    """Move the user's read cursor in a session; returns the cursor."""
    s = await access_session(db, roles, session_id)
    m = await db.get(Message, message_id)
    if m is None or m.contact_id != s.contact_id or m.livechat_id != s.livechat_id:
        raise not_found("message")
    # A message of a later session cannot be read from an earlier one.
    target = min(message_id, s.last_message_id or message_id)
    if await move_cursor(db, user.id, s.id, target):
        stage_event(
            db,
            "session.read",
            {"session_id": s.id, "user_id": user.id, "message_id": target},
            users({user.id}),
        )
        read_all = target >= (s.last_message_id or 0)  # else it still counts as unread
        if s.assignee_id == user.id and s.status is SessionStatus.active and read_all:
            await stage_counters(db, {user.id})
    return await _cursor_of(db, user.id, s.id)
