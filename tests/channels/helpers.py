"""Shared steps of the channel tests: channels through the admin API, deliveries, waits."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from livedesk.channels import telegram
from tests.client import Api, Desk

FIXTURES = Path(telegram.__file__).parent / "fixtures"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BOT_TOKEN = "7012345678:AAE-test-token_xyz"
WAIT_SECS = 15.0


def update(name: str, **changes: Any) -> dict[str, Any]:
    """A fixture Update; ``changes`` replace top-level keys (``update_id=...``)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data | changes


def telegram_chat(desk: Desk, op: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """A live chat with ``op`` as operator and a telegram channel; (chat, channel)."""
    chat = desk.livechat("Telegram desk", operators=[op])
    channel = desk.admin.post(
        f"/api/livechats/{chat['id']}/channels",
        {"kind": "telegram", "config": {"bot_token": BOT_TOKEN}},
        expect=201,
    )
    return chat, dict(channel)


def api_chat(desk: Desk, op: Api, url: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    chat = desk.livechat("API desk", operators=[op])
    config = {"url": url} if url else {}
    channel = desk.admin.post(
        f"/api/livechats/{chat['id']}/channels", {"kind": "api", "config": config}, expect=201
    )
    return chat, dict(channel)


def deliver(
    base: str, channel: dict[str, Any], body: dict[str, Any], secret: str | None = None
) -> httpx.Response:
    """POST ``body`` to the channel's webhook with its secret (or ``secret``)."""
    headers = {SECRET_HEADER: channel["secret"] if secret is None else secret}
    with httpx.Client(base_url=base, timeout=30) as http:
        return http.post(
            f"/api/channels/telegram/{channel['id']}/webhook", json=body, headers=headers
        )


def messages(api: Api, session_id: int) -> list[dict[str, Any]]:
    return list(api.get(f"/api/sessions/{session_id}/messages")["items"])


def only_session(api: Api, livechat_id: int) -> dict[str, Any]:
    page = api.get("/api/sessions", params={"group": "unassigned", "livechat_id": livechat_id})
    items = page["items"]
    assert len(items) == 1, items
    return dict(items[0])


def wait_delivery(api: Api, session_id: int, message_id: int, state: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECS
    found: dict[str, Any] = {}
    while time.monotonic() < deadline:
        found = next(m for m in messages(api, session_id) if m["id"] == message_id)
        if found["delivery_state"] == state:
            return found
        time.sleep(0.1)
    raise AssertionError(f"message {message_id} is {found.get('delivery_state')}, not {state}")
