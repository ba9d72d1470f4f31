"""Messenger inbound: the Telegram webhook and the generic API channel."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header
from pydantic import BaseModel

from livedesk.actions.channels import do_channel_inbound
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


async def _channel(rt: Runtime, channel_id: int, kind: ChannelKind) -> Channel:
    async with rt.read() as db:
        channel = await db.get(Channel, channel_id)
    if channel is None or channel.kind is not kind or not channel.is_active:
        raise not_found("channel")
    return channel


def _check(given: str | None, expected: str | None, code: str) -> None:
    # Constant time; a channel without a secret accepts nothing.
    if not given or not expected or not hmac.compare_digest(given, expected):
        raise ApiError(401, code, "Wrong or missing channel credentials.")


@router.post("/telegram/{channel_id}/webhook")
async def telegram_webhook(
    channel_id: int,
    rt: RuntimeDep,
    update: Annotated[dict[str, Any], Body()],
    secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> WebhookOut:
    """A Bot API ``Update``. Anything we do not handle is acknowledged and dropped, or
    Telegram would redeliver it forever."""
    channel = await _channel(rt, channel_id, ChannelKind.telegram)
    _check(secret, channel.secret, "invalid_secret")
    items = telegram.parse(update)
    stored = 0
    if items:
        async with rt.tx() as db:
            for item in items:
                stored += await do_channel_inbound(db, channel, item) is not None
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
    _check(given, channel.secret, "invalid_token")
    async with rt.tx() as db:
        m = await do_channel_inbound(db, channel, api_channel.parse(body)[0])
    if m is None:
        return ApiMessageOut(message_id=None, session_id=None, duplicate=True)
    return ApiMessageOut(message_id=m.id, session_id=m.session_id, duplicate=False)
