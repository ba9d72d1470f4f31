"""Sessions, messages, counters and search results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from livedesk.models import AuthorKind, ChannelKind, SessionStatus
from livedesk.schemas.base import In, Out
from livedesk.schemas.users import UserBrief

MAX_MESSAGE_CHARS = 10_000
MAX_MESSAGE_ATTACHMENTS = 10
MessageText = Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE_CHARS)]
# With attachments, the text may be empty.
OptionalText = Annotated[str, Field(max_length=MAX_MESSAGE_CHARS)]
AttachmentIds = Annotated[list[int], Field(max_length=MAX_MESSAGE_ATTACHMENTS)]
Group = Literal["mine", "unassigned", "active", "closed"]


class Author(Out):
    kind: AuthorKind
    id: int | None
    name: str


class MessagePublic(Out):
    id: int
    session_id: int
    author: Author
    text: str
    attachments: list[Any]
    created_at: datetime
    internal: bool
    system: dict[str, Any] | None = None
    channel_kind: str | None = None
    delivery_state: str | None = None
    # Why a messenger did not take this reply (with delivery_state "failed").
    delivery_error: str | None = None


class AttachmentOut(Out):
    """A file attached to a message (``url`` downloads it)."""

    id: int
    type: str
    name: str
    content_type: str
    size: int | None = None
    url: str


class WithAttachments(In):
    """Text, attachments (ids of the sender's uploads), or both; never neither."""

    text: OptionalText = ""
    attachments: AttachmentIds = []

    @model_validator(mode="after")
    def _not_empty(self) -> WithAttachments:
        if not self.text.strip() and not self.attachments:
            raise ValueError("text: a message needs text or attachments")
        return self


class MessageCreate(WithAttachments):
    internal: bool = False


class ContactBrief(Out):
    id: int
    name: str
    avatar_url: str | None = None


class IdentityOut(Out):
    channel_id: int
    channel_kind: ChannelKind
    external_id: str
    username: str | None = None


class ContactPublic(ContactBrief):
    livechat_id: int
    email: str | None = None
    phone: str | None = None
    identities: list[IdentityOut] = []
    # The customer record (an item of the live chat's customer app) this contact is linked to.
    account_item_id: int | None = None
    created_at: datetime


class SessionPublic(Out):
    id: int
    livechat_id: int
    name: str
    status: SessionStatus
    assignee: UserBrief | None
    contact: ContactBrief
    channel_kind: ChannelKind
    last_message: MessagePublic | None
    unread_count: int
    is_new: bool
    created_at: datetime
    waiting_since: datetime
    closed_at: datetime | None


class SessionPage(Out):
    items: list[SessionPublic]
    next_cursor: str | None


class MessagePage(Out):
    items: list[MessagePublic]
    next_cursor: int | None


class AssignIn(In):
    operator_id: int


class ReadIn(In):
    message_id: int


class TakeNextIn(In):
    livechat_id: int | None = None


class SearchOut(Out):
    sessions: list[SessionPublic]
    messages: list[MessagePublic] | None = None


class AssignmentOut(Out):
    id: int
    actor_id: int | None
    from_user_id: int | None
    to_user_id: int | None
    created_at: datetime
