"""The outbox worker: delivers queued messenger replies, with retries, across restarts.

Claiming: a short transaction picks due rows (``FOR UPDATE ... SKIP LOCKED`` on
PostgreSQL, so that nodes sharing the database never pick the same row; SQLite has one
writer anyway) and pushes their ``next_attempt_at`` one lease ahead. The send happens
outside any transaction; the outcome is recorded by an action. A node that dies mid-send
leaves the row to be claimed again when the lease runs out: delivery is at least once.
Replies to one contact on one channel go out in order: a row waits while an older reply
to the same contact is still pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from livedesk.actions.channels import remote_fetcher
from livedesk.actions.files import read_bytes
from livedesk.actions.outbox import do_delivered, do_delivery_failed, on_enqueued
from livedesk.channels.api import ApiSender
from livedesk.channels.base import FileBytes, Outbound, SendError, Sends
from livedesk.channels.telegram import BotApi, TelegramSender
from livedesk.config import Settings
from livedesk.lib.errors import ApiError
from livedesk.models import Channel, ChannelKind, Message, OutboxItem, OutboxState, StoredFile
from livedesk.models.base import utcnow
from livedesk.realtime.runtime import Runtime

log = logging.getLogger(__name__)

BATCH_SIZE = 20
# Longer than any one send may take (the HTTP timeout), so a live claim never expires.
LEASE_SECS = 120.0
MAX_ROUNDS_PER_WAKE = 50


@dataclass(frozen=True)
class Claim:
    item_id: int
    attempts: int
    out: Outbound
    kind: ChannelKind
    config: dict[str, Any]
    secret: str
    active: bool


def sender_for(claim: Claim, http: httpx.AsyncClient, settings: Settings) -> Sends:
    if claim.kind is ChannelKind.telegram:
        token = str(claim.config.get("bot_token", ""))
        return TelegramSender(BotApi(http, settings.telegram_api_url, token))
    url = str(claim.config.get("url", ""))
    return ApiSender(http, url, claim.secret, settings.public_url)


async def with_files(rt: Runtime, http: httpx.AsyncClient, out: Outbound) -> Outbound:
    """``out`` with the bytes of its attachments, for channels that upload them."""
    ids = [a["id"] for a in out.attachments if isinstance(a.get("id"), int)]
    if not ids:
        return out
    async with rt.read() as db:
        rows = await db.execute(select(StoredFile).where(StoredFile.id.in_(ids)))
        found = {f.id: f for f in rows.scalars()}
    files: dict[int, FileBytes] = {}
    for file_id in ids:
        f = found.get(file_id)
        if f is None:
            raise SendError(f"attachment {file_id} no longer exists", retryable=False)
        files[file_id] = FileBytes(f.name, f.content_type, await _read(rt, http, f))
    return replace(out, files=files)


async def _read(rt: Runtime, http: httpx.AsyncClient, f: StoredFile) -> bytes:
    try:
        return await read_bytes(rt, f, remote_fetcher(rt.settings, http))
    except ApiError as err:
        raise SendError(f"{f.name}: {err.message}", retryable=err.status >= 500) from None
    except FileNotFoundError:
        raise SendError(f"{f.name}: missing from the file store", retryable=False) from None


def retry_at(settings: Settings, attempts: int, err: SendError) -> datetime | None:
    """When to try again after the ``attempts``-th failed attempt; None: give up."""
    if not err.retryable or attempts >= settings.outbox_max_attempts:
        return None
    if err.retry_after_secs is not None:
        delay = err.retry_after_secs  # the channel said when: sooner is refused anyway
    else:
        delay = settings.outbox_backoff_base_secs * 2 ** (attempts - 1)
    return utcnow() + timedelta(seconds=min(delay, settings.outbox_backoff_max_secs))


def _due_query(now: datetime) -> Any:
    older, older_msg = aliased(OutboxItem), aliased(Message)
    waits_for_older = exists().where(
        older.state == OutboxState.pending,
        older.channel_id == OutboxItem.channel_id,
        older.id < OutboxItem.id,
        older_msg.id == older.message_id,
        older_msg.contact_id == Message.contact_id,
    )
    return (
        select(OutboxItem, Channel)
        .join(Message, Message.id == OutboxItem.message_id)
        .join(Channel, Channel.id == OutboxItem.channel_id)
        .where(
            OutboxItem.state == OutboxState.pending,
            OutboxItem.next_attempt_at <= now,
            ~waits_for_older,
        )
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(BATCH_SIZE)
        .with_for_update(of=OutboxItem, skip_locked=True)
    )


async def claim_due(rt: Runtime) -> list[Claim]:
    now = utcnow()
    async with rt.tx() as db:
        rows = (await db.execute(_due_query(now))).all()
        claims = []
        for item, channel in rows:
            item.attempts += 1
            item.next_attempt_at = now + timedelta(seconds=LEASE_SECS)
            out = Outbound.from_payload(item.payload, delivery_id=item.id)
            config, secret = dict(channel.config), channel.secret or ""
            claims.append(
                Claim(item.id, item.attempts, out, channel.kind, config, secret, channel.is_active)
            )
    return claims


async def _release(rt: Runtime, item_id: int) -> None:
    """Shutting down mid-send: the row is due again at once (for the next start)."""
    async with rt.tx() as db:
        item = await db.get(OutboxItem, item_id, with_for_update=True)
        if item is not None and item.state is OutboxState.pending:
            item.attempts = max(0, item.attempts - 1)
            item.next_attempt_at = utcnow()


async def _send(rt: Runtime, http: httpx.AsyncClient, claim: Claim) -> str:
    if not claim.active:
        raise SendError("the channel is disabled", retryable=False)
    try:
        out = claim.out
        if claim.kind is ChannelKind.telegram:
            out = await with_files(rt, http, out)
        return await sender_for(claim, http, rt.settings).send(out)
    except SendError:
        raise
    except Exception as exc:  # a bug or an odd answer: retried, and logged with its trace
        log.exception("outbox: sending %d failed", claim.item_id)
        raise SendError(f"internal error: {type(exc).__name__}", retryable=True) from exc


async def deliver(rt: Runtime, http: httpx.AsyncClient, claim: Claim) -> None:
    try:
        external_id = await _send(rt, http, claim)
    except SendError as err:
        when = retry_at(rt.settings, claim.attempts, err)
        async with rt.tx() as db:
            await do_delivery_failed(db, claim.item_id, err.reason, when)
        return
    except asyncio.CancelledError:
        await _release(rt, claim.item_id)
        raise
    async with rt.tx() as db:
        await do_delivered(db, claim.item_id, external_id)


async def deliver_due(rt: Runtime, http: httpx.AsyncClient) -> int:
    """Claim and deliver one batch of due replies; how many were claimed."""
    claims = await claim_due(rt)
    results = await asyncio.gather(*(deliver(rt, http, c) for c in claims), return_exceptions=True)
    for claim, result in zip(claims, results, strict=True):
        if isinstance(result, Exception):
            log.error("outbox: recording delivery %d failed: %r", claim.item_id, result)
    return len(claims)


async def run_outbox(rt: Runtime, http: httpx.AsyncClient) -> None:
    """Deliver due replies whenever one is enqueued here, and every ``outbox_poll_secs``
    (retries that came due, and rows enqueued by other nodes)."""
    wake = asyncio.Event()
    on_enqueued(rt.engine, wake.set)
    while True:
        wake.clear()
        try:
            for _ in range(MAX_ROUNDS_PER_WAKE):
                if await deliver_due(rt, http) < BATCH_SIZE:
                    break
        except Exception:
            log.exception("outbox: delivery round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), rt.settings.outbox_poll_secs)
