"""Operator replies into the outbox, and what a delivery outcome changes on the message.

The worker (``jobs/outbox.py``) wakes as soon as a transaction that enqueued a reply has
committed: it registers a wake-up callback for its engine with ``on_enqueued``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from livedesk.actions.events import message_payload, users
from livedesk.channels.base import Outbound
from livedesk.db.session import DbSession
from livedesk.lib.members import load_members
from livedesk.models import ChannelKind, ChatSession, ContactIdentity, Message, OutboxItem
from livedesk.models.base import utcnow
from livedesk.models.outbox import OutboxState
from livedesk.realtime.log import stage_event

MESSENGER_KINDS = frozenset({ChannelKind.telegram, ChannelKind.api})
_WAKE_FLAG = "livedesk.outbox_wake"
_wakers: weakref.WeakKeyDictionary[Engine, Callable[[], None]] = weakref.WeakKeyDictionary()


def on_enqueued(engine: AsyncEngine, wake: Callable[[], None]) -> None:
    """Call ``wake`` after every commit on ``engine`` that enqueued a reply."""
    _wakers[engine.sync_engine] = wake


async def _wake(db: DbSession) -> None:
    wake = _wakers.get(db.get_bind().engine)
    if wake is not None:
        wake()


async def _recipient(db: DbSession, s: ChatSession) -> str | None:
    query = select(ContactIdentity.external_id).where(
        ContactIdentity.contact_id == s.contact_id, ContactIdentity.channel_id == s.channel_id
    )
    return (await db.execute(query.limit(1))).scalar_one_or_none()


async def enqueue_reply(db: DbSession, s: ChatSession, m: Message) -> None:
    """Queue ``m`` (flushed, not internal) for delivery through the session's channel, in the
    caller's transaction: the reply and its outbox row commit together or not at all."""
    recipient = await _recipient(db, s) if s.channel_id is not None else None
    if recipient is None or s.channel_id is None:
        m.delivery_state = OutboxState.failed.value
        m.delivery_error = "The customer's channel or their identity on it no longer exists."
        return
    m.delivery_state = OutboxState.pending.value
    out = Outbound(
        recipient=recipient,
        text=m.text,
        author_name=m.author_name,
        attachments=list(m.attachments or []),
        message_id=m.id,
    )
    db.add(
        OutboxItem(
            message_id=m.id,
            channel_id=s.channel_id,
            payload=out.to_payload(),
            state=OutboxState.pending,
            attempts=0,
            next_attempt_at=utcnow(),
        )
    )
    if not db.has_hook_flag(_WAKE_FLAG):
        db.set_hook_flag(_WAKE_FLAG)
        db.after_commit(_wake)


async def stage_message_updated(db: DbSession, m: Message, **extra: Any) -> None:
    """``message.updated`` {message, **extra} to the users who may see its session."""
    s = await db.get(ChatSession, m.session_id)
    if s is None:
        return
    audience = (await load_members(db, s.livechat_id)).who_see(s)
    stage_event(db, "message.updated", {"message": message_payload(m), **extra}, users(audience))


async def _locked(db: DbSession, item_id: int) -> tuple[OutboxItem, Message] | None:
    item = await db.get(OutboxItem, item_id, with_for_update=True)
    if item is None or item.state is not OutboxState.pending:
        return None  # delivered or given up by someone else meanwhile
    m = await db.get(Message, item.message_id, with_for_update=True)
    return (item, m) if m is not None else None


async def do_delivered(db: DbSession, item_id: int, external_id: str) -> None:
    """The channel took the reply: sent, with its id there."""
    found = await _locked(db, item_id)
    if found is None:
        return
    item, m = found
    item.state, item.sent_at, item.last_error = OutboxState.sent, utcnow(), None
    item.external_id = external_id or None
    m.delivery_state, m.delivery_error = OutboxState.sent.value, None
    m.external_id = external_id or m.external_id
    await db.flush()
    await stage_message_updated(db, m)


async def do_delivery_failed(
    db: DbSession, item_id: int, reason: str, retry_at: datetime | None
) -> None:
    """A failed attempt: try again at ``retry_at`` (the message stays pending), or, with
    None, give up: the message is failed with the reason (``delivery_error``), and its
    audience gets ``message.updated``."""
    found = await _locked(db, item_id)
    if found is None:
        return
    item, m = found
    item.last_error = reason[:2000]
    if retry_at is not None:
        item.next_attempt_at = retry_at
        return
    item.state = OutboxState.failed
    m.delivery_state, m.delivery_error = OutboxState.failed.value, item.last_error
    await db.flush()
    # ``delivery_error`` is in the message too; the top-level copy is for older clients.
    await stage_message_updated(db, m, delivery_error=item.last_error)
