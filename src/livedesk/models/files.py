"""Uploaded and messenger-held files: the attachments of messages and contacts' avatars."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from livedesk.models.base import Base, BigId, created_at_column


class StoredFile(Base):
    """One file. ``key`` is a random, unguessable token: the download URL
    (``/api/files/{key}/{name}``) is the capability, so ``<img src>`` works in the
    workspace, in the widget's frame and for an API channel's receiver alike.

    A file a messenger holds (a Telegram photo) is registered with ``remote_id`` and
    ``stored`` false; the first download fetches it through its channel and keeps it.
    """

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    livechat_id: Mapped[int] = mapped_column(
        ForeignKey("livechats.id", ondelete="CASCADE"), index=True
    )
    # Who uploaded it: "u<user id>" or "c<contact id>"; null for messenger-held files.
    uploader: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    stored: Mapped[bool] = mapped_column(Boolean, default=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    remote_id: Mapped[str | None] = mapped_column(String(300))
    # The message it was attached to; an upload is attached once.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()
