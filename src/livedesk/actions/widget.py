"""Widget visitors: a contact with a widget identity and a bearer token."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from livedesk.db.session import DbSession
from livedesk.lib.passwords import new_token, token_hash
from livedesk.models import Channel, Contact, ContactIdentity


async def do_create_visitor(
    db: DbSession, channel: Channel, name: str | None, email: str | None
) -> tuple[Contact, str]:
    if not name:
        count = await db.execute(
            select(func.count())
            .select_from(Contact)
            .where(Contact.livechat_id == channel.livechat_id)
        )
        name = f"Visitor {count.scalar_one() + 1}"
    contact = Contact(livechat_id=channel.livechat_id, name=name, email=email)
    db.add(contact)
    await db.flush()
    token = new_token()
    db.add(
        ContactIdentity(
            contact_id=contact.id,
            channel_id=channel.id,
            external_id=uuid.uuid4().hex,
            token_hash=token_hash(token),
        )
    )
    await db.flush()
    return contact, token
