"""``livedesk telegram poll``: getUpdates long polling stores updates like the webhook does."""

from __future__ import annotations

import asyncio

import httpx

from livedesk.config import Settings
from livedesk.jobs.telegram import poll_channel, telegram_channels
from livedesk.realtime.runtime import Runtime
from tests.channels.helpers import messages, only_session, telegram_chat, update
from tests.channels.standin import StandIn
from tests.client import Desk


def _poll(settings: Settings, channel_id: int, rounds: int) -> None:
    async def run() -> None:
        rt = Runtime.from_settings(settings)
        try:
            [channel] = await telegram_channels(rt, [channel_id])
            async with httpx.AsyncClient(timeout=10) as http:
                await poll_channel(rt, http, channel, rounds=rounds)
        finally:
            await rt.engine.dispose()

    asyncio.run(run())


def test_polling_stores_each_update_once_and_moves_the_offset(
    desk: Desk, settings: Settings, standin: StandIn
) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    batch = [update("text"), update("sticker")]
    standin.script(
        "getUpdates",
        (200, {"ok": True, "result": batch}),
        (200, {"ok": True, "result": batch[1:]}),  # redelivered: stored once all the same
    )
    _poll(settings, channel["id"], 2)
    assert [r.method for r in standin.requests()][:2] == ["deleteWebhook", "getUpdates"]
    offsets = [r.json.get("offset") for r in standin.requests("getUpdates")]
    assert offsets[:2] == [None, 812345675]
    s = only_session(op, chat["id"])
    assert [m["text"] for m in messages(op, s["id"])] == [
        "[Sticker 👍]",
        "Hello! My order #4411 has not arrived yet.",
    ]
