"""The durable outbox of messenger replies, and the receipts that make inbound idempotent."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from livedesk.models.base import Base, BigId, created_at_column


class OutboxState(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class OutboxItem(Base):
    """One operator reply to deliver through a messenger channel.

    A worker claims a due row by pushing ``next_attempt_at`` one lease ahead, sends, then
    records the outcome; a worker that dies mid-send leaves the row due again once the
    lease has passed, so nothing is lost (delivery is at least once).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]]
    state: Mapped[OutboxState] = mapped_column(
        Enum(OutboxState, native_enum=False, length=10), default=OutboxState.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None]


class InboundReceipt(Base):
    """An update a channel delivered once: a redelivery of the same key is a no-op."""

    __tablename__ = "inbound_receipts"
    __table_args__ = (UniqueConstraint("channel_id", "external_update_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    external_update_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
