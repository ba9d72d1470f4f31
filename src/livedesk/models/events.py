"""The durable event log and its explicit recipients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from livedesk.models.base import Base, BigId, created_at_column


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = created_at_column()


class EventRecipient(Base):
    """One row per (recipient, event). A recipient is ``u<user id>`` or ``v<identity id>``.

    No foreign key to ``events``: the rows are written with their event, in one statement,
    and deleted before it (``realtime.log.prune_before``); checking each of them was up to
    half of writing them, under the event log's ordering lock (migration 0007).
    """

    __tablename__ = "event_recipients"
    __table_args__ = (Index("ix_event_recipients_event", "event_id"),)

    recipient: Mapped[str] = mapped_column(String(24), primary_key=True)
    event_id: Mapped[int] = mapped_column(BigId, primary_key=True)
