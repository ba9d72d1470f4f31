"""Live chats, their members (operator / supervisor) and their channels."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from livedesk.models.base import Base, BigId, created_at_column


class LiveChat(Base):
    __tablename__ = "livechats"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = created_at_column()


class LiveChatCount(Base):
    """A live chat's unassigned sessions, kept by triggers on ``sessions`` (migration 0006):
    the counters read this row instead of counting the queue. The code writes it only to
    rebuild it after a bulk load (``lib.counters.recount_unassigned``)."""

    __tablename__ = "livechat_counts"

    livechat_id: Mapped[int] = mapped_column(
        ForeignKey("livechats.id", ondelete="CASCADE"), primary_key=True
    )
    unassigned: Mapped[int] = mapped_column(default=0, server_default="0")


class Membership(Base):
    __tablename__ = "memberships"

    livechat_id: Mapped[int] = mapped_column(
        ForeignKey("livechats.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_supervisor: Mapped[bool] = mapped_column(Boolean, default=False)


class ChannelKind(enum.StrEnum):
    widget = "widget"
    telegram = "telegram"
    api = "api"


class Channel(Base):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    livechat_id: Mapped[int] = mapped_column(
        ForeignKey("livechats.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ChannelKind] = mapped_column(Enum(ChannelKind, native_enum=False, length=20))
    name: Mapped[str] = mapped_column(String(200), default="")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Public key of a widget channel (goes into the page's script tag).
    widget_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Webhook secret (telegram) or hash of the inbound token (api).
    secret: Mapped[str | None] = mapped_column(String(128))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at_column()
