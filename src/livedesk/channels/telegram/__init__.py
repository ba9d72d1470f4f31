"""Telegram: Bot API ``Update`` objects in (webhook or getUpdates), Bot API calls out."""

from livedesk.channels.telegram.bot_api import BotApi, TelegramSender
from livedesk.channels.telegram.parse import parse

__all__ = ["BotApi", "TelegramSender", "parse"]
