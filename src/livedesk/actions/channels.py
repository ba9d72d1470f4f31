"""Messenger inbound: each channel's ``Inbound`` becomes a customer message, exactly once.

Outbound replies are queued by ``actions/outbox.py`` (from ``do_operator_message``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from livedesk.actions.conversations import do_customer_message
from livedesk.actions.outbox import stage_message_updated
from livedesk.channels.base import Inbound, Sender
from livedesk.db.session import DbSession
from livedesk.lib.textsearch import fold
from livedesk.models import (
    AuthorKind,
    Channel,
    Contact,
    ContactIdentity,
    InboundReceipt,
    Message,
)


async def do_channel_inbound(db: DbSession, channel: Channel, item: Inbound) -> Message | None:
    """Store one inbound message; None when its ``dedupe_key`` was stored before.

    The receipt commits with the message, so a delivery that fails half-way is retried by
    the channel and stored then, and one that succeeded is never stored twice.
    """
    if item.dedupe_key is not None and not await _first_receipt(db, channel, item.dedupe_key):
        return None
    contact = await _contact_for(db, channel, item.sender)
    if item.edited:
        edited = await _apply_edit(db, contact, item)
        if edited is not None:
            return edited
    return await do_customer_message(
        db, contact, channel, item.text, item.attachments, item.external_id
    )


async def _first_receipt(db: DbSession, channel: Channel, key: str) -> bool:
    """Insert the receipt in a savepoint: a concurrent twin waits for our commit on the
    unique key, then fails here, and its delivery becomes a no-op (on both engines)."""
    try:
        async with db.begin_nested():
            db.add(InboundReceipt(channel_id=channel.id, external_update_id=key))
    except IntegrityError:
        return False
    return True


async def _find_identity(
    db: DbSession, channel: Channel, external_id: str
) -> tuple[ContactIdentity, Contact] | None:
    row = (
        await db.execute(
            select(ContactIdentity, Contact)
            .join(Contact, Contact.id == ContactIdentity.contact_id)
            .where(
                ContactIdentity.channel_id == channel.id,
                ContactIdentity.external_id == external_id,
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def _contact_for(db: DbSession, channel: Channel, sender: Sender) -> Contact:
    """The contact behind (channel, sender id), created on first contact; names kept fresh."""
    found = await _find_identity(db, channel, sender.external_id)
    if found is None:
        try:
            async with db.begin_nested():
                return await _new_contact(db, channel, sender)
        except IntegrityError:  # the same new sender, created by a concurrent delivery
            found = await _find_identity(db, channel, sender.external_id)
            assert found is not None
    identity, contact = found
    identity.username = sender.username or identity.username
    contact.avatar_url = sender.avatar_url or contact.avatar_url
    return contact


async def _new_contact(db: DbSession, channel: Channel, sender: Sender) -> Contact:
    contact = Contact(
        livechat_id=channel.livechat_id, name=sender.name, avatar_url=sender.avatar_url
    )
    db.add(contact)
    await db.flush()
    db.add(
        ContactIdentity(
            contact_id=contact.id,
            channel_id=channel.id,
            external_id=sender.external_id,
            username=sender.username,
        )
    )
    await db.flush()
    return contact


async def _apply_edit(db: DbSession, contact: Contact, item: Inbound) -> Message | None:
    """An edited message changes the stored one in place (``message.updated``); None when
    the original is unknown (then the edit is stored as a new message)."""
    if item.external_id is None:
        return None
    query = (
        select(Message)
        .where(
            Message.contact_id == contact.id,
            Message.author_kind == AuthorKind.customer,
            Message.external_id == item.external_id,
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
    m = (await db.execute(query.with_for_update())).scalar_one_or_none()
    if m is None:
        return None
    m.text, m.search_text = item.text, fold(item.text)
    m.attachments = list(item.attachments)
    await db.flush()
    await stage_message_updated(db, m, edited=True)
    return m
