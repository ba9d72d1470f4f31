"""The durable event log and its explicit recipients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from livedesk.models.base import Base, BigId, created_at_column


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = created_at_column()


class EventRecipient(Base):
    """One row per (recipient, event). A recipient is ``u<user id>`` or ``v<identity id>``."""

    __tablename__ = "event_recipients"
    __table_args__ = (Index("ix_event_recipients_event", "event_id"),)

    recipient: Mapped[str] = mapped_column(String(24), primary_key=True)
    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
