"""Messenger inbound: the Telegram webhook and the generic API channel."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, BackgroundTasks, Body, Depends, Header, Request
from pydantic import BaseModel

from livedesk.actions.channels import do_channel_inbound, fetch_avatars, new_telegram_contacts
from livedesk.api.deps import RuntimeDep
from livedesk.channels import api as api_channel
from livedesk.channels import telegram
from livedesk.lib.errors import ApiError, not_found
from livedesk.lib.passwords import token_hash
from livedesk.models import Channel, ChannelKind
from livedesk.realtime.runtime import Runtime

router = APIRouter(prefix="/api/channels", tags=["channels"])


class WebhookOut(BaseModel):
    ok: bool = True
    stored: int


class ApiMessageOut(BaseModel):
    """``message_id`` null: a repeat of a ``message_id`` already stored (nothing new)."""

    message_id: int | None
    session_id: int | None
    duplicate: bool


async def _channel_http(request: Request) -> AsyncIterator[httpx.AsyncClient]:
    """The server's client for outbound messenger HTTP (made at startup); a short-lived one
    when the app runs without its lifespan."""
    shared: httpx.AsyncClient | None = getattr(request.app.state, "channel_http", None)
    if shared is not None:
        yield shared
        return
    async with httpx.AsyncClient() as http:
        yield http


ChannelHttp = Annotated[httpx.AsyncClient, Depends(_channel_http)]


async def _channel(rt: Runtime, channel_id: int, kind: ChannelKind) -> Channel:
    async with rt.read() as db:
        channel = await db.get(Channel, channel_id)
    if channel is None or channel.kind is not kind:
        raise not_found("channel")
    return channel


def _check(channel: Channel, given: str | None, code: str) -> None:
    """Credentials first (constant time; a channel without a secret accepts nothing), so
    that only its holder learns that a channel is disabled."""
    expected = channel.secret
    if not given or not expected or not hmac.compare_digest(given, expected):
        raise ApiError(401, code, "Wrong or missing channel credentials.")
    if not channel.is_active:
        raise ApiError(403, "channel_disabled", "This channel is disabled.")


@router.post("/telegram/{channel_id}/webhook")
async def telegram_webhook(
    channel_id: int,
    rt: RuntimeDep,
    update: Annotated[dict[str, Any], Body()],
    http: ChannelHttp,
    background: BackgroundTasks,
    secret: Annotated[str | None, Header(alias=telegram.SECRET_HEADER)] = None,
) -> WebhookOut:
    """A Bot API ``Update``. Anything we do not handle is acknowledged and dropped, or
    Telegram would redeliver it forever."""
    channel = await _channel(rt, channel_id, ChannelKind.telegram)
    _check(channel, secret, "invalid_secret")
    items = telegram.parse(update)
    stored, new_contacts = 0, []
    if items:
        async with rt.tx() as db:
            for item in items:
                stored += await do_channel_inbound(db, channel, item) is not None
            new_contacts = new_telegram_contacts(db)
    if new_contacts:  # after the answer: a slow Bot API never holds the webhook up
        background.add_task(fetch_avatars, rt, http, channel, new_contacts)
    return WebhookOut(stored=stored)


@router.post("/api/{channel_id}/messages")
async def api_message(
    channel_id: int,
    body: api_channel.ApiMessageIn,
    rt: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
) -> ApiMessageOut:
    channel = await _channel(rt, channel_id, ChannelKind.api)
    scheme, _, token = (authorization or "").partition(" ")
    given = token_hash(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    _check(channel, given, "invalid_token")
    async with rt.tx() as db:
        m = await do_channel_inbound(db, channel, api_channel.parse(body)[0])
    if m is None:
        return ApiMessageOut(message_id=None, session_id=None, duplicate=True)
    return ApiMessageOut(message_id=m.id, session_id=m.session_id, duplicate=False)
