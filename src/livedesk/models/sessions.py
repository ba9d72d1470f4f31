"""Sessions (one conversation of a contact in a live chat) and their assignment history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from livedesk.models.base import Base, BigId, created_at_column
from livedesk.models.livechats import ChannelKind


class SessionStatus(enum.StrEnum):
    unassigned = "unassigned"
    active = "active"
    closed = "closed"


class ChatSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        # Queues and counters: unassigned per live chat, oldest first.
        Index("ix_sessions_livechat_status_waiting", "livechat_id", "status", "waiting_since"),
        Index("ix_sessions_assignee_status", "assignee_id", "status"),
        Index("ix_sessions_contact_status", "contact_id", "status"),
        Index("ix_sessions_livechat_activity", "livechat_id", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    livechat_id: Mapped[int] = mapped_column(ForeignKey("livechats.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    channel_kind: Mapped[ChannelKind] = mapped_column(
        Enum(ChannelKind, native_enum=False, length=20)
    )
    name: Mapped[str] = mapped_column(String(200))
    # ``name`` case-folded in Python (see messages.search_text).
    search_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[SessionStatus] = mapped_column(
        Enum(SessionStatus, native_enum=False, length=12), default=SessionStatus.unassigned
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Operators who have held this session (for "Closed: sessions that were mine").
    last_assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()
    waiting_since: Mapped[datetime] = created_at_column()
    closed_at: Mapped[datetime | None]
    # Newest message that counts as unread for somebody (customer or operator text).
    last_message_id: Mapped[int | None] = mapped_column(BigId)
    last_activity_at: Mapped[datetime] = created_at_column()


class Assignment(Base):
    """Every (re)assignment: who did it, from whom, to whom, when."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
