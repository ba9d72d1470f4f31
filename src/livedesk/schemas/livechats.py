"""Live chats, members and channels."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from livedesk.models import ChannelKind
from livedesk.schemas.base import In, Out

Routing = Literal["manual", "round_robin", "least_busy"]


class LiveChatSettings(In):
    item_app_id: int | None = None
    customer_app_id: int | None = None
    routing: Routing = "manual"
    offline_message: Annotated[str, Field(max_length=2000)] = ""
    max_sessions_per_operator: Annotated[int, Field(ge=0, le=1000)] = 0


class LiveChatCreate(In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    settings: LiveChatSettings | None = None


class LiveChatUpdate(In):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    settings: LiveChatSettings | None = None


class MembersIn(In):
    operators: Annotated[list[int], Field(max_length=10_000)]
    supervisors: Annotated[list[int], Field(max_length=10_000)]


class MemberOut(Out):
    id: int
    name: str
    email: str
    status: str
    roles: list[str]


class GroupCounts(Out):
    """How many sessions each group of the left menu holds (PRODUCT.md, "Groups"): what
    ``GET /api/sessions?livechat_id=&group=`` lists. A group the user does not have in this
    live chat is null. ``closed`` stops at 1000 (``lib/counters.CLOSED_COUNT_CAP``)."""

    mine: int | None = None
    unassigned: int | None = None
    active: int | None = None
    closed: int | None = None


class LiveChatCounters(Out):
    unread_sessions: int
    unassigned: int


class CountersPublic(Out):
    """``GET /api/counters``: the red and blue counters, their terms, and per live chat."""

    red: int
    blue: int
    unread_sessions: int
    unassigned_supervised: int
    livechats: dict[str, LiveChatCounters]


class LiveChatPublic(Out):
    id: int
    name: str
    settings: dict[str, Any]
    created_at: datetime
    roles: list[str] = []
    counters: dict[str, int] = {}
    # In GET /api/livechats: the sizes of my groups here (null where I am not a member).
    groups: GroupCounts | None = None


class LiveChatDetail(LiveChatPublic):
    members: list[MemberOut] = []
    channels: list[ChannelPublic] = []


class ChannelCreate(In):
    """``config``: a ``WidgetConfig``, ``TelegramConfig`` or ``ApiConfig``, as ``kind`` says
    (validated against it; see docs/channels.md)."""

    kind: ChannelKind
    name: Annotated[str, Field(max_length=200)] = ""
    config: dict[str, Any] = {}


class ChannelUpdate(In):
    """Only what is given changes; ``config`` keys replace the stored ones, the rest stay.
    ``enabled`` false: the channel takes nothing in (its widget key, token and webhook
    stop working) and its pending replies fail, until it is enabled again."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    enabled: bool | None = None
    config: dict[str, Any] | None = None


# scheme://host[:port], the host possibly starting with "*." (CSP source syntax).
_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+([/?#]\S*)?$")
_BOT_TOKEN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{1,200}$")
MAX_ALLOWED_ORIGINS = 100


def _origin(value: str) -> str:
    value = value.strip().rstrip("/")
    if not _ORIGIN.fullmatch(value):
        raise ValueError("must be an origin: scheme://host[:port], e.g. https://shop.example")
    return value


def _http_url(value: str) -> str:
    if value and not _HTTP_URL.fullmatch(value):
        raise ValueError("must be an http:// or https:// URL")
    return value


def _bot_token(value: str) -> str:
    if not _BOT_TOKEN.fullmatch(value):
        raise ValueError("must be a Telegram bot token (123456789:ABC..., from @BotFather)")
    return value


Origin = Annotated[str, Field(max_length=300), AfterValidator(_origin)]


class WidgetConfig(In):
    """``allowed_origins``: the sites that may embed the chat (empty: any site)."""

    allowed_origins: Annotated[list[Origin], Field(max_length=MAX_ALLOWED_ORIGINS)] = []
    prechat_form: bool = False
    # The channel /demo shows and ``livedesk demo --simulate`` writes in, and its language.
    demo: bool = False
    locale: Literal["en", "ru"] | None = None


class TelegramConfig(In):
    """``bot_token`` is required at creation; a new one moves the channel to that bot."""

    bot_token: Annotated[str, Field(max_length=250), AfterValidator(_bot_token)] | None = None


class ApiConfig(In):
    """``url``: where replies are POSTed (empty: nowhere, and they fail)."""

    url: Annotated[str, Field(max_length=2000), AfterValidator(_http_url)] = ""


CHANNEL_CONFIGS: dict[ChannelKind, type[In]] = {
    ChannelKind.widget: WidgetConfig,
    ChannelKind.telegram: TelegramConfig,
    ChannelKind.api: ApiConfig,
}


class ChannelPublic(Out):
    id: int
    livechat_id: int
    kind: ChannelKind
    name: str
    config: dict[str, Any]
    enabled: bool = True
    widget_key: str | None = None
    webhook_path: str | None = None
    # Telegram with LIVEDESK_PUBLIC_URL: where Telegram posts updates, once setWebhook took
    # it; else why it did not (the next start or `livedesk telegram set-webhook` retries).
    webhook_url: str | None = None
    webhook_error: str | None = None
    # Shown once, when made: the telegram webhook secret or the api channel token.
    secret: str | None = None
    token: str | None = None
    created_at: datetime


LiveChatDetail.model_rebuild()
