"""App webhooks: each item created or changed is POSTed, signed, to the app's URL.

The body is JSON ``{"event": "item.created" | "item.updated", "app": {id, name},
"item": {...}}``; ``X-Livedesk-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact
body with the app's ``webhook_secret``; ``X-Livedesk-Delivery`` identifies the delivery
(the same on retries, so a receiver can drop duplicates). A 2xx answer is success; a
timeout, 408, 429 or 5xx is retried with exponential backoff (``Retry-After`` honoured);
other answers, or too many attempts, fail the delivery with the reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from datetime import timedelta

import httpx
import orjson
from sqlalchemy import select

from livedesk.channels.base import SendError, retryable_status
from livedesk.jobs.outbox import retry_at
from livedesk.models import App, WebhookDelivery, WebhookState
from livedesk.models.base import utcnow
from livedesk.realtime.runtime import Runtime

log = logging.getLogger(__name__)

BATCH_SIZE = 20
LEASE_SECS = 120.0
MAX_ROUNDS_PER_WAKE = 50
SIGNATURE_HEADER = "X-Livedesk-Signature"
DELIVERY_HEADER = "X-Livedesk-Delivery"
EVENT_HEADER = "X-Livedesk-Event"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def _claim(rt: Runtime) -> list[tuple[int, int, str, bytes, str, str]]:
    now = utcnow()
    async with rt.tx() as db:
        rows = await db.execute(
            select(WebhookDelivery, App.webhook_secret)
            .join(App, App.id == WebhookDelivery.app_id)
            .where(
                WebhookDelivery.state == WebhookState.pending,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(BATCH_SIZE)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
        claims = []
        for d, secret in rows:
            d.attempts += 1
            d.next_attempt_at = now + timedelta(seconds=LEASE_SECS)
            body = orjson.dumps(d.payload)
            event = str(d.payload.get("event", ""))
            claims.append((d.id, d.attempts, d.url, body, secret or "", event))
    return claims


async def _post(
    http: httpx.AsyncClient, delivery_id: int, url: str, body: bytes, secret: str, event: str
) -> None:
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(body, secret),
        DELIVERY_HEADER: str(delivery_id),
        EVENT_HEADER: event,
    }
    try:
        r = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise SendError(f"POST failed: {type(exc).__name__}", retryable=True) from None
    if not r.is_success:
        after = r.headers.get("Retry-After", "")
        raise SendError(
            f"{r.status_code} {r.text[:200] or r.reason_phrase}",
            retryable=retryable_status(r.status_code),
            retry_after_secs=float(after) if after.isdigit() else None,
        )


async def _deliver(
    rt: Runtime, http: httpx.AsyncClient, claim: tuple[int, int, str, bytes, str, str]
) -> None:
    delivery_id, attempts, url, body, secret, event = claim
    error: SendError | None = None
    try:
        await _post(http, delivery_id, url, body, secret, event)
    except SendError as err:
        error = err
    async with rt.tx() as db:
        d = await db.get(WebhookDelivery, delivery_id, with_for_update=True)
        if d is None:
            return
        if error is None:
            d.state, d.sent_at, d.last_error = WebhookState.sent, utcnow(), None
            return
        d.last_error = error.reason
        when = retry_at(rt.settings, attempts, error)
        if when is None:
            d.state = WebhookState.failed
        else:
            d.next_attempt_at = when


async def deliver_webhooks(rt: Runtime, http: httpx.AsyncClient) -> int:
    claims = await _claim(rt)
    await asyncio.gather(*(_deliver(rt, http, c) for c in claims), return_exceptions=True)
    return len(claims)


async def run_webhooks(rt: Runtime, http: httpx.AsyncClient) -> None:
    """Deliver due webhooks every ``outbox_poll_secs`` (and at once while a batch is full)."""
    while True:
        try:
            for _ in range(MAX_ROUNDS_PER_WAKE):
                if await deliver_webhooks(rt, http) < BATCH_SIZE:
                    break
        except Exception:
            log.exception("webhooks: delivery round failed")
        await asyncio.sleep(rt.settings.outbox_poll_secs)
