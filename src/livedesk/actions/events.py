"""Staging the events of a state change: payloads and audiences in one place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from livedesk.db.session import DbSession
from livedesk.lib.counters import counters_for_users
from livedesk.lib.present import BriefContact, present_message, present_sessions
from livedesk.models import AuthorKind, ChatSession, Message, User
from livedesk.models.base import utcnow
from livedesk.realtime.envelope import contact_recipient, user_recipient
from livedesk.realtime.log import stage_event, stage_event_at, staged_count


def users(user_ids: Iterable[int]) -> list[str]:
    return [user_recipient(u) for u in sorted(set(user_ids))]


async def session_payload(
    db: DbSession, s: ChatSession, last_message: Message | None = None
) -> dict[str, Any]:
    """The session as every recipient may see it (no per-user unread count).
    ``last_message``: the session's last message when the caller holds it (messages
    written with Core statements are not in the session's identity map)."""
    if s.id is None:
        await db.flush()
    known = [last_message] if last_message is not None else []
    return (await session_payloads(db, [s], known))[0]


async def session_payloads(
    db: DbSession,
    sessions: Sequence[ChatSession],
    last_messages: Iterable[Message] = (),
    contacts: Iterable[BriefContact] = (),
) -> list[dict[str, Any]]:
    """The payloads of several sessions at once, as ``session_payload`` (one query per kind
    of row, and none for the messages and contacts the caller holds), in the order given."""
    public = await present_sessions(
        db, None, sessions, known_messages=last_messages, known_contacts=contacts
    )
    return [p.model_dump(mode="json", exclude={"unread_count"}) for p in public]


def message_payload(m: Message) -> dict[str, Any]:
    return present_message(m).model_dump(mode="json")


async def stage_session_event(
    db: DbSession,
    type_: str,
    s: ChatSession,
    audience: Iterable[int],
    *,
    last_message: Message | None = None,
    **extra: Any,
) -> None:
    data = {"session": await session_payload(db, s, last_message), **extra}
    stage_event(db, type_, data, users(audience))


def system_line(
    s: ChatSession,
    kind: str,
    text: str,
    *,
    author: User | None = None,
    internal: bool = False,
    **data: Any,
) -> Message:
    """A system line in the session's dialog (assigned, closed, item created, ...): ``text``
    for readers that do not know ``kind``, which the UI words from ``system`` data."""
    return Message(
        session_id=s.id,
        livechat_id=s.livechat_id,
        contact_id=s.contact_id,
        author_kind=AuthorKind.system,
        author_id=author.id if author else None,
        author_name=author.name if author else "",
        text=text,
        search_text="",
        attachments=[],
        internal=internal,
        system={"kind": kind, **data},
        created_at=utcnow(),
    )


def stage_message(db: DbSession, m: Message, audience: Iterable[int], *, to_customer: bool) -> None:
    recipients = users(audience)
    if to_customer and not m.internal:
        recipients.append(contact_recipient(m.contact_id))
    stage_event(db, "message.created", {"message": message_payload(m)}, recipients)


async def stage_counters(db: DbSession, user_ids: Iterable[int]) -> None:
    """Push fresh counters to each user whose numbers this change moved."""
    later = CountersLater(db)
    later.moved(user_ids)
    await later.stage()


class CountersLater:
    """Counters for a transaction that moves them many times (a batch of messages): each
    user's event goes where their numbers first moved, computed once, at the end."""

    def __init__(self, db: DbSession) -> None:
        self._db = db
        self._at: dict[int, int] = {}

    def moved(self, user_ids: Iterable[int]) -> None:
        position = staged_count(self._db)
        for user_id in user_ids:
            self._at.setdefault(user_id, position)

    async def stage(self) -> None:
        if not self._at:
            return
        await self._db.flush()
        counters = await counters_for_users(self._db, set(self._at))
        at: dict[int, list[int]] = {}
        for user_id, position in self._at.items():
            at.setdefault(position, []).append(user_id)
        # From the last position back, so that earlier positions stay where they were;
        # at one position, users in id order.
        for position in sorted(at, reverse=True):
            for k, user_id in enumerate(sorted(at[position])):
                stage_event_at(
                    self._db,
                    position + k,
                    "counters",
                    counters[user_id],
                    [user_recipient(user_id)],
                )
