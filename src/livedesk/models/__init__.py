"""ORM tables, one module per aggregate. Importing this package registers them all."""

from livedesk.models.apps import App, Item, WebhookDelivery, WebhookState
from livedesk.models.base import Base
from livedesk.models.contacts import Contact, ContactIdentity
from livedesk.models.events import Event, EventRecipient
from livedesk.models.files import StoredFile
from livedesk.models.livechats import Channel, ChannelKind, LiveChat, LiveChatCount, Membership
from livedesk.models.messages import AuthorKind, Message, ReadCursor
from livedesk.models.outbox import InboundReceipt, OutboxItem, OutboxState
from livedesk.models.sessions import Assignment, ChatSession, SessionStatus
from livedesk.models.users import ApiToken, AuthSession, User, UserStatus

__all__ = [
    "ApiToken",
    "App",
    "Assignment",
    "AuthSession",
    "AuthorKind",
    "Base",
    "Channel",
    "ChannelKind",
    "ChatSession",
    "Contact",
    "ContactIdentity",
    "Event",
    "EventRecipient",
    "InboundReceipt",
    "Item",
    "LiveChat",
    "LiveChatCount",
    "Membership",
    "Message",
    "OutboxItem",
    "OutboxState",
    "ReadCursor",
    "SessionStatus",
    "StoredFile",
    "User",
    "UserStatus",
    "WebhookDelivery",
    "WebhookState",
]
