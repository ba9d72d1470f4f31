"""Messages and per-user read cursors."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from livedesk.models.base import Base, BigId, created_at_column


class AuthorKind(enum.StrEnum):
    customer = "customer"
    operator = "operator"
    system = "system"
    bot = "bot"


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # The dialog: a contact's history in a live chat, newest page first.
        Index("ix_messages_contact_id", "contact_id", "id"),
        Index("ix_messages_session_id", "session_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    livechat_id: Mapped[int] = mapped_column(ForeignKey("livechats.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    author_kind: Mapped[AuthorKind] = mapped_column(Enum(AuthorKind, native_enum=False, length=10))
    author_id: Mapped[int | None] = mapped_column(BigId)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # ``text`` case-folded in Python, so that search is Unicode-aware on both engines.
    search_text: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    # System lines carry a machine-readable kind and data (assigned, closed, ...).
    system: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    channel_kind: Mapped[str | None] = mapped_column(String(20))
    # Outbound delivery state for messenger channels: pending / sent / failed.
    delivery_state: Mapped[str | None] = mapped_column(String(10))
    # Why the last delivery attempt failed (shown to the operator beside "failed").
    delivery_error: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class ReadCursor(Base):
    """The newest message of a session that a user has seen. Only ever moves forward."""

    __tablename__ = "read_cursors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int] = mapped_column(BigId)
