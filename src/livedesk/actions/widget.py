"""Widget visitors: a contact with a widget identity and a bearer token; their messages."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, func, select

from livedesk.actions.conversations import CustomerText, do_customer_messages
from livedesk.actions.files import attach, attachment_of, claim_uploads, invalid_attachment
from livedesk.db import sqlite_direct
from livedesk.db.batch import MAX_BATCH
from livedesk.db.dialect import SQLITE, dialect_name
from livedesk.db.session import DbSession
from livedesk.lib.errors import ApiError
from livedesk.lib.passwords import new_token, token_hash
from livedesk.models import Channel, ChannelKind, Contact, ContactIdentity, Message, StoredFile


@dataclass(frozen=True)
class VisitorRows:
    """The rows a visitor's token names: its widget, contact and identity."""

    channel: Channel
    contact: Contact
    identity: ContactIdentity


async def widget_channel(db: DbSession, widget_key: str) -> Channel:
    channel = (
        await db.execute(
            select(Channel).where(
                Channel.widget_key == widget_key, Channel.kind == ChannelKind.widget
            )
        )
    ).scalar_one_or_none()
    if channel is None or not channel.is_active:
        raise ApiError(404, "not_found", "widget not found")
    return channel


# Built once: every visitor's message runs it, and building the statement (with its cache
# key) cost more than running it.
_VISITORS_BY_TOKEN = (
    select(ContactIdentity, Contact, Channel)
    .join(Contact, Contact.id == ContactIdentity.contact_id)
    .join(Channel, Channel.id == ContactIdentity.channel_id)
    .where(
        ContactIdentity.token_hash.in_(bindparam("hashes", expanding=True)),
        Channel.kind == ChannelKind.widget,
    )
)


async def visitors_by_token(
    db: DbSession, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], VisitorRows]:
    """The visitors of active widgets named by (widget key, token hash) pairs, in one query."""
    hashes = sorted({hashed for _, hashed in keys})
    rows = await db.execute(_VISITORS_BY_TOKEN, {"hashes": hashes})
    found = {(ch.widget_key or "", i.token_hash or ""): VisitorRows(ch, c, i) for i, c, ch in rows}
    return {key: found[key] for key in keys if key in found and found[key].channel.is_active}


async def refuse_visitor(db: DbSession, widget_key: str) -> ApiError:
    """Why a (widget key, token) pair names no visitor: no such widget, or a bad token."""
    await widget_channel(db, widget_key)  # 404 when the widget is not there
    return ApiError(401, "invalid_visitor_token", "The visitor token is not valid here.")


@dataclass(frozen=True)
class VisitorPost:
    """A message a visitor sends through the widget; the token is kept hashed."""

    widget_key: str
    token_hash: str
    text: str
    attachment_ids: Sequence[int]


@dataclass(frozen=True, slots=True)
class PostingContact:
    """What a visitor's message needs of its contact (read as plain values, not rows)."""

    id: int
    livechat_id: int
    name: str
    avatar_url: str | None


@dataclass(frozen=True, slots=True)
class PostingChannel:
    id: int
    livechat_id: int
    kind: ChannelKind


# Built once per number of tokens (a batch's posts): on SQLite it runs straight on the
# connection (db/sqlite_direct.py), which takes no expanding parameters.
@functools.lru_cache(maxsize=MAX_BATCH)
def _posters_by_token(
    count: int,
) -> Select[str | None, str | None, int, int, str, str | None, int, int, ChannelKind]:
    return (
        select(
            Channel.widget_key,
            ContactIdentity.token_hash,
            Contact.id,
            Contact.livechat_id,
            Contact.name,
            Contact.avatar_url,
            Channel.id,
            Channel.livechat_id,
            Channel.kind,
        )
        .join(Contact, Contact.id == ContactIdentity.contact_id)
        .join(Channel, Channel.id == ContactIdentity.channel_id)
        .where(
            ContactIdentity.token_hash.in_([bindparam(f"h{n}") for n in range(count)]),
            Channel.kind == ChannelKind.widget,
            Channel.is_active.is_(True),
        )
        # PostgreSQL: the contacts' rows locked in id order as they are read, the lock
        # do_customer_messages would otherwise take with a statement of its own (SQLite
        # renders no FOR UPDATE: its writers take turns anyway).
        .order_by(Contact.id)
        .with_for_update(of=Contact)
    )


async def _posters(
    db: DbSession, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], tuple[PostingContact, PostingChannel]]:
    """The visitors of active widgets named by (widget key, token hash) pairs, in one query
    of plain values (the hottest read: no ORM rows); their contacts' rows are locked."""
    hashes = sorted({hashed for _, hashed in keys})
    statement = _posters_by_token(len(hashes))
    params = {f"h{n}": hashed for n, hashed in enumerate(hashes)}
    if dialect_name(db) == SQLITE:
        rows = await sqlite_direct.fetch_all(db, statement, params)
    else:
        rows = [tuple(r) for r in await (await db.connection()).execute(statement, params)]
    return {
        (key or "", hashed or ""): (
            PostingContact(c_id, c_chat, c_name, c_avatar),
            PostingChannel(ch_id, ch_chat, kind),
        )
        for key, hashed, c_id, c_chat, c_name, c_avatar, ch_id, ch_chat, kind in rows
    }


async def post_visitor_messages(
    db: DbSession, posts: Sequence[VisitorPost]
) -> list[Message | Exception]:
    """Visitors' messages, several at once (a group commit's handler): their visitors in
    one query, then their messages together. A post refused (token, attachments) is
    answered with its error before anything of it is written; the others go on."""
    visitors = await _posters(db, {(p.widget_key, p.token_hash) for p in posts})
    answers: list[Message | Exception | None] = []
    accepted: list[tuple[int, CustomerText, list[StoredFile]]] = []
    claimed: set[int] = set()
    for n, p in enumerate(posts):
        visitor = visitors.get((p.widget_key, p.token_hash))
        try:
            if visitor is None:
                raise await refuse_visitor(db, p.widget_key)
            contact, channel = visitor
            files = await claim_uploads(
                db,
                p.attachment_ids,
                livechat_id=channel.livechat_id,
                uploader=f"c{contact.id}",
            )
            # An upload claimed by an earlier post of this batch is no longer free.
            for f in files:
                if f.id in claimed:
                    raise invalid_attachment(f.id)
        except ApiError as error:
            answers.append(error)
            continue
        claimed.update(f.id for f in files)
        text = CustomerText(contact, channel, p.text, [attachment_of(f) for f in files])
        accepted.append((n, text, files))
        answers.append(None)  # its message, once written
    if accepted:
        items = [text for _, text, _ in accepted]
        messages = await do_customer_messages(db, items, contacts_locked=True)
        for (n, _, files), m in zip(accepted, messages, strict=True):
            attach(m, files)
            answers[n] = m
    return [answer for answer in answers if answer is not None]


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
