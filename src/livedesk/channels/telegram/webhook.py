"""Where Telegram posts a channel's updates: the path on this server, and its public URL."""

from __future__ import annotations

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(channel_id: int) -> str:
    return f"/api/channels/telegram/{channel_id}/webhook"


def webhook_url(public_url: str, channel_id: int) -> str:
    return public_url.rstrip("/") + webhook_path(channel_id)
