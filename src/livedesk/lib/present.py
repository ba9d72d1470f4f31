"""ORM rows -> API shapes, in batches (one query per kind of row, never per row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy import inspect, select

from livedesk.db.session import DbSession
from livedesk.lib.counters import unread_counts
from livedesk.models import ChatSession, Contact, Message, SessionStatus, User
from livedesk.schemas.sessions import Author, ContactBrief, MessagePublic, SessionPublic
from livedesk.schemas.users import UserBrief

_T = TypeVar("_T", User, Contact, Message)


class BriefContact(Protocol):
    """What a session's contact brief is made of: a ``Contact`` row, or its values."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def avatar_url(self) -> str | None: ...


def present_message(m: Message) -> MessagePublic:
    return MessagePublic(
        id=m.id,
        session_id=m.session_id,
        author=Author(kind=m.author_kind, id=m.author_id, name=m.author_name),
        text=m.text,
        attachments=list(m.attachments or []),
        created_at=m.created_at,
        internal=m.internal,
        system=m.system,
        channel_kind=m.channel_kind,
        delivery_state=m.delivery_state,
        delivery_error=m.delivery_error,
    )


_K = TypeVar("_K", bound=BriefContact | Message | User)


async def _by_id(
    db: DbSession, model: type[_T], ids: Iterable[int | None], known: Iterable[_K] = ()
) -> dict[int, _T | _K]:
    """Rows by id: those the caller holds (``known``) or this transaction holds in its
    identity map (a query would hand back the very same objects), the rest in one query."""
    wanted = {i for i in ids if i is not None}
    found: dict[int, _T | _K] = {row.id: row for row in known if row.id in wanted}
    mapper = inspect(model)
    for i in wanted - found.keys():
        held = db.identity_map.get(mapper.identity_key_from_primary_key((i,)))
        if held is not None:
            found[i] = held
    missing = wanted - found.keys()
    if missing:
        rows = await db.execute(select(model).where(model.id.in_(missing)))
        found.update((row.id, row) for row in rows.scalars())
    return found


async def present_sessions(
    db: DbSession,
    user_id: int | None,
    sessions: Sequence[ChatSession],
    known_messages: Iterable[Message] = (),
    known_contacts: Iterable[BriefContact] = (),
) -> list[SessionPublic]:
    """``user_id`` None: no unread counts (0), as in events that many users receive.
    ``known_messages``, ``known_contacts``: last messages and contacts (rows or their
    values) the caller holds, not to be read again."""
    users = await _by_id(db, User, (s.assignee_id for s in sessions))
    contacts = await _by_id(db, Contact, (s.contact_id for s in sessions), known_contacts)
    messages = await _by_id(db, Message, (s.last_message_id for s in sessions), known_messages)
    unread = {} if user_id is None else await unread_counts(db, user_id, [s.id for s in sessions])
    out = []
    for s in sessions:
        assignee = users.get(s.assignee_id) if s.assignee_id else None
        contact = contacts[s.contact_id]
        last = messages.get(s.last_message_id) if s.last_message_id else None
        out.append(
            SessionPublic(
                id=s.id,
                livechat_id=s.livechat_id,
                name=s.name,
                status=s.status,
                assignee=UserBrief.model_validate(assignee) if assignee else None,
                contact=ContactBrief.model_validate(contact),
                channel_kind=s.channel_kind,
                last_message=present_message(last) if last else None,
                unread_count=unread.get(s.id, 0),
                is_new=s.status is SessionStatus.unassigned,
                created_at=s.created_at,
                waiting_since=s.waiting_since,
                closed_at=s.closed_at,
            )
        )
    return out


async def present_session(db: DbSession, user_id: int | None, s: ChatSession) -> SessionPublic:
    return (await present_sessions(db, user_id, [s]))[0]
