"""Contacts (customers) and their identities on each channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from livedesk.models.base import Base, BigId, created_at_column


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    livechat_id: Mapped[int] = mapped_column(
        ForeignKey("livechats.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    avatar_url: Mapped[str | None] = mapped_column(String(1000))
    # Room for the apps issue: the linked customer record.
    account_item_id: Mapped[int | None]
    created_at: Mapped[datetime] = created_at_column()


class ContactIdentity(Base):
    """A contact as one channel knows them: a widget visitor, a Telegram user, ..."""

    __tablename__ = "contact_identities"
    __table_args__ = (UniqueConstraint("channel_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(200))
    # SHA-256 of a widget visitor's token; null for messenger identities.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
