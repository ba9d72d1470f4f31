"""Messenger inbound: each channel's ``Inbound`` becomes a customer message, exactly once,
its media registered as files the channel holds (fetched on first download, through
``remote_fetcher``); a new Telegram contact's profile photo; and a telegram channel's
webhook registration. What calls the Bot API runs after the commit that made it due.

Outbound replies are queued by ``actions/outbox.py`` (from ``do_operator_message``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from livedesk.actions.conversations import do_customer_message
from livedesk.actions.files import FetchRemote, attachment_of, file_url, register_remote
from livedesk.actions.outbox import stage_message_updated
from livedesk.channels import telegram
from livedesk.channels.base import Attachment, Inbound, Sender, SendError
from livedesk.channels.telegram import BotApi, webhook_url
from livedesk.config import Settings
from livedesk.db.session import DbSession
from livedesk.lib.errors import ApiError
from livedesk.lib.textsearch import fold
from livedesk.models import (
    AuthorKind,
    Channel,
    ChannelKind,
    Contact,
    ContactIdentity,
    InboundReceipt,
    Message,
    StoredFile,
)
from livedesk.realtime.runtime import Runtime

log = logging.getLogger(__name__)

# Kept in a channel's config by ``sync_webhook``; never taken from an admin's input.
WEBHOOK_STATE_KEYS = ("webhook_url", "webhook_error")
# What an adapter says of a file it holds; the rest of its attachment (label, emoji,
# duration) is kept beside the uniform fields.
_REMOTE_FILE_KEYS = frozenset({"remote_id", "name", "content_type", "size", "type"})
_NEW_CONTACTS = "livedesk.new_telegram_contacts"
AVATAR_NAME = "avatar.jpg"


async def do_channel_inbound(db: DbSession, channel: Channel, item: Inbound) -> Message | None:
    """Store one inbound message; None when its ``dedupe_key`` was stored before.

    The receipt commits with the message, so a delivery that fails half-way is retried by
    the channel and stored then, and one that succeeded is never stored twice.
    """
    if item.dedupe_key is not None and not await _first_receipt(db, channel, item.dedupe_key):
        return None
    contact = await _contact_for(db, channel, item.sender)
    if item.edited:
        edited = await _apply_edit(db, channel, contact, item)
        if edited is not None:
            return edited
    attachments, files = await _remote_files(db, channel, item.attachments)
    m = await do_customer_message(db, contact, channel, item.text, attachments, item.external_id)
    for f in files:
        f.message_id = m.id
    return m


async def _remote_files(
    db: DbSession,
    channel: Channel,
    attachments: list[Attachment],
    known: dict[str, Attachment] | None = None,
) -> tuple[list[Attachment], list[StoredFile]]:
    """Each attachment with a ``remote_id`` registered as a file the channel holds (or, in
    ``known``, the attachment it already is), as ``attachment_of`` shows it; the files made."""
    out, made = list(attachments), []
    for i, a in enumerate(attachments):
        remote_id = a.get("remote_id")
        if not isinstance(remote_id, str):
            continue
        if known and remote_id in known:
            out[i] = known[remote_id]
            continue
        size = a.get("size")
        f = register_remote(
            db,
            livechat_id=channel.livechat_id,
            channel_id=channel.id,
            remote_id=remote_id,
            name=str(a.get("name") or ""),
            content_type=str(a.get("content_type") or ""),
            size=size if isinstance(size, int) else None,
        )
        made.append((i, f, {k: v for k, v in a.items() if k not in _REMOTE_FILE_KEYS}))
    if made:
        await db.flush()
    for i, f, extra in made:
        out[i] = attachment_of(f, **extra)
    return out, [f for _, f, _ in made]


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
    if channel.kind is ChannelKind.telegram and not sender.avatar_url:
        db.info.setdefault(_NEW_CONTACTS, []).append((contact.id, sender.external_id))
    return contact


def new_telegram_contacts(db: DbSession) -> list[tuple[int, str]]:
    """(contact id, Telegram user id) of the contacts this transaction created: after it
    commits, ``fetch_avatars`` gives them their profile photos."""
    return list(db.info.get(_NEW_CONTACTS, []))


async def _apply_edit(
    db: DbSession, channel: Channel, contact: Contact, item: Inbound
) -> Message | None:
    """An edited message changes the stored one in place (``message.updated``); None when
    the original is unknown (then the edit is stored as a new message). Files it already
    had stay the same attachments (same URLs)."""
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
    attachments, files = await _remote_files(db, channel, item.attachments, await _files_of(db, m))
    for f in files:
        f.message_id = m.id
    m.text, m.search_text = item.text, fold(item.text)
    m.attachments = attachments
    await db.flush()
    await stage_message_updated(db, m, edited=True)
    return m


async def _files_of(db: DbSession, m: Message) -> dict[str, Attachment]:
    """The message's channel-held files, by remote id: their attachments as stored."""
    shown = {a.get("id"): a for a in m.attachments or [] if isinstance(a, dict)}
    rows = await db.execute(
        select(StoredFile.id, StoredFile.remote_id).where(StoredFile.message_id == m.id)
    )
    return {remote: shown[i] for i, remote in rows.all() if remote and i in shown}


async def sync_webhook(
    rt: Runtime,
    http: httpx.AsyncClient,
    channel: Channel,
    *,
    previous_bot_token: str | None = None,
    wait_secs: float | None = None,
) -> Channel:
    """Point Telegram at an enabled telegram channel's webhook (setWebhook with its secret)
    or away from a disabled one (deleteWebhook), and record the outcome in the channel's
    ``webhook_url`` / ``webhook_error``; the channel as recorded.

    Call after the commit that created or changed the channel, never inside a transaction:
    the Bot API may be slow, and ``wait_secs`` bounds the wait. A failure is recorded, not
    raised (the next start or ``livedesk telegram set-webhook`` tries again). Without
    ``public_url``, and for other kinds, nothing happens: such a channel polls.
    """
    if channel.kind is not ChannelKind.telegram or not rt.settings.public_url:
        return channel
    if previous_bot_token:  # best effort: the old bot's updates fail the new secret anyway
        old = BotApi(http, rt.settings.telegram_api_url, previous_bot_token)
        await _attempt(old.delete_webhook(), "deleteWebhook", wait_secs)
    token = str(channel.config.get("bot_token", ""))
    api = BotApi(http, rt.settings.telegram_api_url, token)
    url = webhook_url(rt.settings.public_url, channel.id) if channel.is_active else None
    if url is not None:
        error = await _attempt(api.set_webhook(url, channel.secret or ""), "setWebhook", wait_secs)
    else:
        error = await _attempt(api.delete_webhook(), "deleteWebhook", wait_secs)
    if error is not None:
        log.warning("telegram channel %d: %s", channel.id, error)
    async with rt.tx() as db:
        return await do_record_webhook(db, channel, token, None if error else url, error)


async def _attempt(call: Awaitable[None], method: str, wait_secs: float | None) -> str | None:
    """None when ``call`` succeeded, else why not (never naming the URL: it holds the token)."""
    try:
        async with asyncio.timeout(wait_secs):
            await call
    except SendError as err:
        return err.reason
    except TimeoutError:
        return f"{method}: no answer from the Bot API within {wait_secs:g} s"
    return None


async def do_record_webhook(
    db: DbSession, channel: Channel, bot_token: str, url: str | None, error: str | None
) -> Channel:
    """Record a registration's outcome, unless the channel moved to another bot meanwhile
    (that edit registers, and records, its own)."""
    row = await db.get(Channel, channel.id, with_for_update=True)
    if row is None:
        return channel
    if row.config.get("bot_token") == bot_token:
        row.config = {**row.config, "webhook_url": url, "webhook_error": error}
        await db.flush()
    return row


def remote_fetcher(settings: Settings, http: httpx.AsyncClient) -> FetchRemote:
    """The hook ``actions.files.read_bytes`` calls for a file a channel holds."""

    async def fetch(channel: Channel, remote_id: str) -> tuple[bytes, str]:
        if channel.kind is not ChannelKind.telegram:
            raise ApiError(404, "file_unavailable", "This file is not available.")
        base = settings.telegram_api_url
        try:
            return await telegram.fetch_file(http, base, channel.config, remote_id)
        except SendError as err:
            if err.retryable:
                raise ApiError(
                    502, "file_fetch_failed", "Telegram did not hand over this file; try again."
                ) from None
            raise ApiError(
                404, "file_unavailable", f"Telegram no longer gives this file ({err.reason})."
            ) from None

    return fetch


async def fetch_avatars(
    rt: Runtime, http: httpx.AsyncClient, channel: Channel, contacts: list[tuple[int, str]]
) -> None:
    """After the commit that created these Telegram contacts (``new_telegram_contacts``):
    each one's current profile photo becomes their avatar, a file fetched on first view.
    Never raises: a contact without an avatar is still a contact."""
    api = BotApi(http, rt.settings.telegram_api_url, str(channel.config.get("bot_token", "")))
    for contact_id, user_id in contacts:
        try:
            size = await api.profile_photo(user_id)
            if size is not None:
                async with rt.tx() as db:
                    await do_set_avatar(db, channel, contact_id, size)
        except SendError as err:
            log.info("telegram contact %d: no profile photo: %s", contact_id, err.reason)
        except Exception:
            log.exception("telegram contact %d: fetching the profile photo failed", contact_id)


async def do_set_avatar(
    db: DbSession, channel: Channel, contact_id: int, photo: dict[str, object]
) -> None:
    """``photo``: a Bot API PhotoSize; kept unless the contact has an avatar already."""
    contact = await db.get(Contact, contact_id, with_for_update=True)
    if contact is None or contact.avatar_url:
        return
    size = photo.get("file_size")
    f = register_remote(
        db,
        livechat_id=contact.livechat_id,
        channel_id=channel.id,
        remote_id=str(photo["file_id"]),
        name=AVATAR_NAME,
        content_type="image/jpeg",
        size=size if isinstance(size, int) else None,
    )
    await db.flush()
    contact.avatar_url = file_url(f)
