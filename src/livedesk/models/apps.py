"""Apps (admin-defined record types with typed fields), their items, and outbound webhooks."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from livedesk.models.base import Base, BigId, UtcDateTime, created_at_column, utcnow


class App(Base):
    """A record type: "Requests", "Customers", ... ``fields`` is the list of field
    definitions ``{key, label, type, required, options}`` (see ``lib/fields.py``)."""

    __tablename__ = "apps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    fields: Mapped[list[Any]] = mapped_column(default=list)
    # Item created / changed -> a signed POST here (HMAC-SHA256 with ``webhook_secret``).
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Item(Base):
    """One record of an app. Values of removed fields stay stored (and hidden), so that
    changing an app never breaks its items."""

    __tablename__ = "items"
    __table_args__ = (Index("ix_items_app_id", "app_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Every text value case-folded, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The live chat it was created from (its members may see it); null: shared by all users.
    livechat_id: Mapped[int | None] = mapped_column(
        ForeignKey("livechats.id", ondelete="SET NULL"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class WebhookState(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class WebhookDelivery(Base):
    """One signed POST to an app's webhook URL, retried with backoff until it goes through."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_state", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any]]
    state: Mapped[WebhookState] = mapped_column(
        Enum(WebhookState, native_enum=False, length=10), default=WebhookState.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
