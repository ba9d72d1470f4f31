"""The data generator for history: many sessions with many messages, written in batches.

Sessions are spread over the history live chats: one in twenty waits unassigned, three
are active (assigned, their last message unread), the rest are closed. Every session has
a contact of its own and ``messages / sessions`` messages, customer and operator in turn.

The event log holds what a running desk's would: a ``message.created`` event for each
message of the days it keeps (``event_retention_days``), to the live chat's operators. A
desk never runs on an empty log, and PostgreSQL plans the log's statements (the check of
each recipient row's event, among them) from the table's statistics: planned on an empty
table, that check reads the whole table, and the more events a run adds, the slower every
message gets.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from livedesk.actions.events import message_payload
from livedesk.bench.bulk import Bulk, Row
from livedesk.bench.corpus import Corpus
from livedesk.bench.seed import SeededChat, session_row
from livedesk.config import Settings
from livedesk.models import (
    AuthorKind,
    ChatSession,
    Contact,
    Event,
    EventRecipient,
    Message,
    SessionStatus,
)
from livedesk.models.base import utcnow
from livedesk.realtime.envelope import user_recipient

SESSIONS_PER_BATCH = 2_000
HISTORY_SPAN = timedelta(days=90)
MESSAGE_GAP = timedelta(seconds=30)
SEARCH_SAMPLE = 1_000
LOG_SPAN = timedelta(days=Settings.model_fields["event_retention_days"].default)


@dataclass
class History:
    search_sessions: list[int]  # sessions the reader may search in (supervised chats)
    seconds: float


def _status(n: int) -> SessionStatus:
    slot = n % 20
    if slot == 0:
        return SessionStatus.unassigned
    return SessionStatus.active if slot <= 3 else SessionStatus.closed


def _message_row(mid: int, s: Row, k: int, body: tuple[str, str], at: datetime) -> Row:
    operator = k % 2 == 1 and s["status"] is not SessionStatus.unassigned
    return {
        "id": mid,
        "session_id": s["id"],
        "livechat_id": s["livechat_id"],
        "contact_id": s["contact_id"],
        "author_kind": AuthorKind.operator if operator else AuthorKind.customer,
        "author_id": s["last_assignee_id"] if operator else None,
        "author_name": "Operator" if operator else s["name"],
        "text": body[0],
        "search_text": body[1],
        "attachments": [],
        "internal": False,
        "system": None,
        "channel_kind": "widget",
        "delivery_state": None,
        "delivery_error": None,
        "external_id": None,
        "created_at": at,
    }


def _event_rows(message: Row, event_id: int, operators: list[int]) -> tuple[Row, list[Row]]:
    """The ``message.created`` event the server logs for ``message`` (its payload as the
    server presents it), to ``operators``."""
    event = {
        "id": event_id,
        "type": "message.created",
        "data": {"message": message_payload(Message(**message))},
        "created_at": message["created_at"],
    }
    return event, [{"recipient": user_recipient(u), "event_id": event_id} for u in operators]


class _Writer:
    def __init__(self, bulk: Bulk, chats: list[SeededChat], sessions: int, messages: int):
        self.bulk, self.chats, self.corpus = bulk, chats, Corpus.create()
        self.operators = {c.id: c.operator_ids for c in chats}
        self.session_ids = bulk.ids(ChatSession.__tablename__, sessions)
        self.contact_ids = bulk.ids(Contact.__tablename__, sessions)
        self.message_ids = iter(bulk.ids(Message.__tablename__, messages))
        self.per_session, self.extra = divmod(messages, sessions)
        self.start = utcnow() - HISTORY_SPAN
        self.step = HISTORY_SPAN / sessions
        self.log_since = utcnow() - LOG_SPAN

    def session(self, n: int) -> tuple[Row, Row, list[Row]]:
        chat = self.chats[n % len(self.chats)]
        name, at = self.corpus.name(n), self.start + self.step * n
        contact: Row = {"id": self.contact_ids[n], "livechat_id": chat.id, "name": name}
        contact |= {"email": None, "phone": None, "avatar_url": None, "account_item_id": None}
        contact["created_at"] = at
        s = session_row(self.session_ids[n], chat, contact["id"], name, at, _status(n))
        if s["status"] is not SessionStatus.unassigned:
            op = chat.operator_ids[n % len(chat.operator_ids)]
            s["last_assignee_id"] = op
            s["assignee_id"] = op if s["status"] is SessionStatus.active else None
        count = self.per_session + (1 if n < self.extra else 0)
        rows = [
            _message_row(next(self.message_ids), s, k, self.corpus.message(), at + MESSAGE_GAP * k)
            for k in range(count)
        ]
        if rows:
            s["last_message_id"], s["last_activity_at"] = rows[-1]["id"], rows[-1]["created_at"]
        if s["status"] is SessionStatus.closed:
            s["closed_at"] = s["last_activity_at"]
        return contact, s, rows

    async def write(self, first: int, last: int) -> None:
        contacts, sessions, messages = [], [], []
        for n in range(first, last):
            contact, s, rows = self.session(n)
            contacts.append(contact)
            sessions.append(s)
            messages.extend(rows)
        await self.bulk.insert(Contact.__tablename__, contacts)
        await self.bulk.insert(ChatSession.__tablename__, sessions)
        await self.bulk.insert(Message.__tablename__, messages)
        logged = [m for m in messages if m["created_at"] >= self.log_since]
        events, recipients = [], []
        for m, event_id in zip(
            logged, self.bulk.ids(Event.__tablename__, len(logged)), strict=True
        ):
            event, to = _event_rows(m, event_id, self.operators[m["livechat_id"]])
            events.append(event)
            recipients.extend(to)
        await self.bulk.insert(Event.__tablename__, events)
        await self.bulk.insert(EventRecipient.__tablename__, recipients)


async def write_history(
    bulk: Bulk, chats: list[SeededChat], supervised: set[int], sessions: int, messages: int
) -> History:
    started = time.monotonic()
    if sessions == 0:
        return History([], 0.0)
    writer = _Writer(bulk, chats, sessions, messages)
    async with bulk.search_indexes_deferred():
        for first in range(0, sessions, SESSIONS_PER_BATCH):
            await writer.write(first, min(first + SESSIONS_PER_BATCH, sessions))
    visible = [
        writer.session_ids[n] for n in range(sessions) if chats[n % len(chats)].id in supervised
    ]
    sample = random.Random(6).sample(visible, min(SEARCH_SAMPLE, len(visible)))
    return History(sample, time.monotonic() - started)
