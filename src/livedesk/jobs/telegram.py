"""Telegram's inbound plumbing: webhook registration, and getUpdates long polling for
machines that Telegram cannot reach (``livedesk telegram poll``)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from sqlalchemy import select

from livedesk.actions.channels import (
    do_channel_inbound,
    fetch_avatars,
    new_telegram_contacts,
    sync_webhook,
)
from livedesk.channels.base import SendError
from livedesk.channels.telegram import BotApi, parse
from livedesk.models import Channel, ChannelKind
from livedesk.realtime.runtime import Runtime

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECS = 25
POLL_ERROR_PAUSE_SECS = 5.0


async def telegram_channels(rt: Runtime, only: list[int] | None = None) -> list[Channel]:
    query = select(Channel).where(Channel.kind == ChannelKind.telegram, Channel.is_active)
    if only:
        query = query.where(Channel.id.in_(only))
    async with rt.read() as db:
        return list((await db.execute(query.order_by(Channel.id))).scalars())


def bot_api(rt: Runtime, http: httpx.AsyncClient, channel: Channel) -> BotApi:
    return BotApi(http, rt.settings.telegram_api_url, str(channel.config.get("bot_token", "")))


async def set_webhooks(
    rt: Runtime, http: httpx.AsyncClient, only: list[int] | None = None
) -> list[tuple[int, str | None]]:
    """setWebhook (with the channel's secret token) for each enabled telegram channel,
    recording the outcome on it; per channel, None on success or the error. Needs
    ``public_url``."""
    done: list[tuple[int, str | None]] = []
    for channel in await telegram_channels(rt, only):
        recorded = await sync_webhook(rt, http, channel)
        error = recorded.config.get("webhook_error")
        done.append((channel.id, str(error) if error else None))
    return done


async def register_webhooks(rt: Runtime, http: httpx.AsyncClient) -> None:
    """At startup with ``public_url`` set; failures are logged and shown on the channel
    (``livedesk telegram set-webhook`` retries them by hand)."""
    for channel_id, error in await set_webhooks(rt, http):
        if error is None:
            log.info("telegram channel %d: webhook registered", channel_id)


async def receive_updates(
    rt: Runtime, http: httpx.AsyncClient, channel: Channel, updates: list[dict[str, Any]]
) -> int:
    """Store the messages of ``updates`` as the webhook does; how many were new. A channel
    disabled meanwhile takes nothing: its updates are dropped."""
    stored = 0
    async with rt.tx() as db:
        fresh = await db.get(Channel, channel.id)
        if fresh is None or not fresh.is_active:
            log.warning(
                "telegram channel %d is disabled: %d updates dropped", channel.id, len(updates)
            )
            return 0
        for update in updates:
            for item in parse(update):
                stored += await do_channel_inbound(db, fresh, item) is not None
        new_contacts = new_telegram_contacts(db)
    if new_contacts:
        await fetch_avatars(rt, http, fresh, new_contacts)
    return stored


async def poll_channel(
    rt: Runtime, http: httpx.AsyncClient, channel: Channel, rounds: int | None = None
) -> None:
    """getUpdates long polling for one channel (its webhook is removed first: Telegram
    serves one or the other). ``rounds``: stop after that many calls (tests)."""
    api = bot_api(rt, http, channel)
    await api.delete_webhook()
    offset: int | None = None
    done = 0
    while rounds is None or done < rounds:
        done += 1
        try:
            updates = await api.get_updates(offset, POLL_TIMEOUT_SECS)
        except SendError as err:
            log.warning("telegram channel %d: getUpdates: %s", channel.id, err.reason)
            await asyncio.sleep(err.retry_after_secs or POLL_ERROR_PAUSE_SECS)
            continue
        if not updates:
            continue
        try:
            await receive_updates(rt, http, channel, updates)
        except Exception:  # not acknowledged: the same updates come again
            log.exception("telegram channel %d: storing updates failed", channel.id)
            await asyncio.sleep(POLL_ERROR_PAUSE_SECS)
            continue
        offset = max(int(u.get("update_id", 0)) for u in updates) + 1
