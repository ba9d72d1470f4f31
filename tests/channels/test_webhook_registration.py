"""With LIVEDESK_PUBLIC_URL set, a telegram channel's webhook follows it: registered when the
channel is created, moved when its bot changes, removed while it is disabled; a slow or
refusing Bot API shows on the channel and is retried later."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from livedesk.config import Settings
from livedesk.jobs.telegram import set_webhooks
from livedesk.realtime.runtime import Runtime
from tests.channels.helpers import BOT_TOKEN, deliver, telegram_chat, update
from tests.channels.standin import StandIn, bot_error
from tests.client import Desk

PUBLIC_URL = "https://desk.example.com"
NEW_TOKEN = "7099999999:BBF-other-bot_token"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"public_url": PUBLIC_URL + "/", "telegram_webhook_timeout_secs": 0.5}
    )


def _hook_url(channel: dict[str, Any]) -> str:
    return f"{PUBLIC_URL}/api/channels/telegram/{channel['id']}/webhook"


def _set_webhooks(settings: Settings, channel_id: int) -> list[tuple[int, str | None]]:
    """What ``livedesk telegram set-webhook --channel ID`` does."""

    async def run() -> list[tuple[int, str | None]]:
        rt = Runtime.from_settings(settings)
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                return await set_webhooks(rt, http, [channel_id])
        finally:
            await rt.engine.dispose()

    return asyncio.run(run())


def test_creating_a_channel_registers_its_webhook(desk: Desk, standin: StandIn) -> None:
    _, channel = telegram_chat(desk, desk.user())
    [call] = standin.requests("setWebhook")
    assert call.path == f"/bot{BOT_TOKEN}/setWebhook"
    assert call.json["url"] == _hook_url(channel)
    assert call.json["secret_token"] == channel["secret"]
    assert channel["webhook_url"] == _hook_url(channel) and channel["webhook_error"] is None
    got = desk.admin.get(f"/api/channels/{channel['id']}")
    assert got["webhook_url"] == _hook_url(channel) and got["secret"] is None


def test_a_refused_registration_shows_on_the_channel_and_is_retried(
    desk: Desk, settings: Settings, standin: StandIn
) -> None:
    standin.script("setWebhook", bot_error(401, "Unauthorized"))
    _, channel = telegram_chat(desk, desk.user())
    assert channel["webhook_url"] is None
    assert channel["webhook_error"] == "setWebhook: 401 Unauthorized"
    assert desk.admin.get(f"/api/channels/{channel['id']}")["webhook_error"] == (
        "setWebhook: 401 Unauthorized"
    )
    # `livedesk telegram set-webhook` tries again, and the channel shows it worked.
    assert _set_webhooks(settings, channel["id"]) == [(channel["id"], None)]
    got = desk.admin.get(f"/api/channels/{channel['id']}")
    assert got["webhook_url"] == _hook_url(channel) and got["webhook_error"] is None


def test_a_slow_bot_api_does_not_hold_the_channel_back(
    desk: Desk, settings: Settings, standin: StandIn
) -> None:
    standin.slow("setWebhook", 3.0)
    _, channel = telegram_chat(desk, desk.user())
    assert "no answer from the Bot API" in channel["webhook_error"]
    assert BOT_TOKEN not in channel["webhook_error"]
    # The channel exists and works meanwhile.
    assert deliver(desk.base, channel, update("text")).json()["stored"] == 1
    standin.slow("setWebhook", 0.0)
    assert _set_webhooks(settings, channel["id"]) == [(channel["id"], None)]
    assert desk.admin.get(f"/api/channels/{channel['id']}")["webhook_error"] is None


def test_a_new_bot_token_moves_the_webhook_to_that_bot(desk: Desk, standin: StandIn) -> None:
    _, channel = telegram_chat(desk, desk.user())
    edited = desk.admin.patch(
        f"/api/channels/{channel['id']}", {"config": {"bot_token": NEW_TOKEN}}
    )
    assert edited["config"]["bot_token_hint"] == "7099999999:…"
    assert edited["secret"] and edited["secret"] != channel["secret"]
    assert edited["webhook_url"] == _hook_url(channel) and edited["webhook_error"] is None
    [dropped] = standin.requests("deleteWebhook")
    assert dropped.path == f"/bot{BOT_TOKEN}/deleteWebhook"
    calls = standin.requests("setWebhook")
    assert [c.path for c in calls] == [f"/bot{BOT_TOKEN}/setWebhook", f"/bot{NEW_TOKEN}/setWebhook"]
    assert calls[1].json["secret_token"] == edited["secret"]
    # The old bot's secret opens nothing any more; the new one does.
    assert deliver(desk.base, channel, update("text")).status_code == 401
    r = deliver(desk.base, channel, update("text"), secret=edited["secret"])
    assert r.status_code == 200 and r.json()["stored"] == 1
    # Edits that leave the bot alone leave the webhook alone.
    desk.admin.patch(f"/api/channels/{channel['id']}", {"name": "Support bot"})
    assert len(standin.requests("setWebhook")) == 2


def test_disabling_removes_the_webhook_and_enabling_restores_it(
    desk: Desk, standin: StandIn
) -> None:
    _, channel = telegram_chat(desk, desk.user())
    off = desk.admin.patch(f"/api/channels/{channel['id']}", {"enabled": False})
    assert off["enabled"] is False and off["webhook_url"] is None
    [dropped] = standin.requests("deleteWebhook")
    assert dropped.path == f"/bot{BOT_TOKEN}/deleteWebhook"
    on = desk.admin.patch(f"/api/channels/{channel['id']}", {"enabled": True})
    assert on["webhook_url"] == _hook_url(channel) and on["secret"] is None
    assert [c.json["url"] for c in standin.requests("setWebhook")] == [_hook_url(channel)] * 2
