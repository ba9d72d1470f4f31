"""Live chats, members and channels."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

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


class LiveChatPublic(Out):
    id: int
    name: str
    settings: dict[str, Any]
    created_at: datetime
    roles: list[str] = []
    counters: dict[str, int] = {}


class LiveChatDetail(LiveChatPublic):
    members: list[MemberOut] = []
    channels: list[ChannelPublic] = []


class ChannelCreate(In):
    kind: ChannelKind
    name: Annotated[str, Field(max_length=200)] = ""
    config: dict[str, Any] = {}


class ChannelPublic(Out):
    id: int
    livechat_id: int
    kind: ChannelKind
    name: str
    config: dict[str, Any]
    widget_key: str | None = None
    webhook_path: str | None = None
    # Shown once, at creation: the telegram webhook secret or the api channel token.
    secret: str | None = None
    token: str | None = None
    created_at: datetime


LiveChatDetail.model_rebuild()
