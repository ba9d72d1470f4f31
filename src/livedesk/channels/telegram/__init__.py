"""Telegram: Bot API ``Update`` objects in (webhook or getUpdates), Bot API calls out."""

from livedesk.channels.telegram.bot_api import BotApi, TelegramSender, fetch_file
from livedesk.channels.telegram.parse import parse
from livedesk.channels.telegram.webhook import SECRET_HEADER, webhook_path, webhook_url

__all__ = [
    "SECRET_HEADER",
    "BotApi",
    "TelegramSender",
    "fetch_file",
    "parse",
    "webhook_path",
    "webhook_url",
]
