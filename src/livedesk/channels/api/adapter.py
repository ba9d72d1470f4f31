"""The API channel's payloads, and its signed outbound POSTs.

Inbound: ``POST /api/channels/api/{channel_id}/messages`` with ``Authorization: Bearer
<channel token>`` and an ``ApiMessageIn`` body. Outbound: each operator reply is POSTed as
JSON to the channel's ``config.url``, with ``X-Livedesk-Signature: sha256=<hex>``, the
HMAC-SHA256 of the exact body bytes. The key is ``signing_key(token)``: the hex SHA-256 of
the channel token, which the receiver can compute from the token it was given, and which is
all the server keeps of it (the token itself is shown once and never stored). Attachment
URLs go out absolute when the server knows its public URL. docs/channels.md is the
integrator's guide.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field

from livedesk.channels.base import (
    Attachment,
    Inbound,
    Outbound,
    Sender,
    SendError,
    retryable_status,
)

SIGNATURE_HEADER = "X-Livedesk-Signature"
DELIVERY_HEADER = "X-Livedesk-Delivery"
MAX_TEXT_CHARS = 10_000
MAX_ATTACHMENTS = 10


class ApiAttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Annotated[str, Field(min_length=1, max_length=40)]
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    name: Annotated[str, Field(max_length=300)] = ""


class ApiMessageIn(BaseModel):
    """A customer's message. ``message_id``: the sender's id for it; a repeat is a no-op."""

    model_config = ConfigDict(extra="forbid")

    sender_id: Annotated[str, Field(min_length=1, max_length=200)]
    sender_name: Annotated[str, Field(min_length=1, max_length=200)]
    sender_username: Annotated[str, Field(max_length=200)] | None = None
    sender_avatar_url: Annotated[str, Field(max_length=1000)] | None = None
    text: Annotated[str, Field(max_length=MAX_TEXT_CHARS)] = ""
    attachments: Annotated[list[ApiAttachmentIn], Field(max_length=MAX_ATTACHMENTS)] = []
    message_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None


def parse(body: ApiMessageIn) -> list[Inbound]:
    sender = Sender(
        external_id=body.sender_id,
        name=body.sender_name,
        username=body.sender_username,
        avatar_url=body.sender_avatar_url,
    )
    attachments = [a.model_dump() for a in body.attachments]
    text = body.text or ("[Attachment]" if attachments else "")
    return [
        Inbound(
            sender=sender,
            text=text,
            attachments=attachments,
            dedupe_key=body.message_id,
            external_id=body.message_id,
        )
    ]


def signing_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign(body: bytes, key: str) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


class ApiSender:
    """POSTs replies to the channel's URL, signed with ``key`` (see the module docstring).
    Attachment URLs are made absolute with ``public_url`` (unset: left relative)."""

    def __init__(self, http: httpx.AsyncClient, url: str, key: str, public_url: str = "") -> None:
        self._http = http
        self._url = url
        self._key = key
        self._public_url = public_url.rstrip("/")

    async def send(self, out: Outbound) -> str:
        if not self._url:
            raise SendError("the channel has no config.url to deliver to", retryable=False)
        body = orjson.dumps(_body(out, self._public_url))
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, self._key),
            DELIVERY_HEADER: str(out.delivery_id),
        }
        try:
            r = await self._http.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SendError(f"POST failed: {type(exc).__name__}", retryable=True) from None
        if not r.is_success:
            raise SendError(
                f"{r.status_code} {r.text[:200] or r.reason_phrase}",
                retryable=retryable_status(r.status_code),
                retry_after_secs=_retry_after(r),
            )
        return _external_id(r)


def _body(out: Outbound, public_url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "delivery_id": out.delivery_id,
        "message_id": out.message_id,
        "recipient_id": out.recipient,
        "author_name": out.author_name,
        "text": out.text,
        "attachments": [_absolute(a, public_url) for a in out.attachments],
    }


def _absolute(attachment: Attachment, public_url: str) -> Attachment:
    url = attachment.get("url")
    if public_url and isinstance(url, str) and url.startswith("/"):
        return {**attachment, "url": public_url + url}
    return attachment


def _retry_after(r: httpx.Response) -> float | None:
    value = r.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


def _external_id(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return ""
    return str(body.get("id", "")) if isinstance(body, dict) else ""
