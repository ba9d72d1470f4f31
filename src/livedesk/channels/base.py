"""The tiny interface every messenger adapter implements, and the errors of a send."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

Attachment = dict[str, Any]


@dataclass(frozen=True)
class Sender:
    """The customer as the channel knows them."""

    external_id: str
    name: str
    username: str | None = None
    avatar_url: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One customer message a channel delivered.

    ``dedupe_key``: stored once per channel, so a redelivery is a no-op (None: no dedupe).
    ``external_id``: the message's id on the channel (edits refer to it).
    """

    sender: Sender
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    dedupe_key: str | None = None
    external_id: str | None = None
    edited: bool = False


@dataclass(frozen=True)
class FileBytes:
    """An attachment's content, for channels that upload files rather than send links."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Outbound:
    """An operator's reply, as stored in the outbox payload (see ``to_payload``).

    ``attachments`` are the message's (``{id, type, name, content_type, size, url}``, the
    url relative to the server); ``files`` their bytes by attachment id, loaded by the
    outbox worker for the channels that upload them (never stored in the payload).
    """

    recipient: str
    text: str
    author_name: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    message_id: int = 0
    delivery_id: int = 0
    files: dict[int, FileBytes] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "text": self.text,
            "author_name": self.author_name,
            "attachments": list(self.attachments),
            "message_id": self.message_id,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], delivery_id: int = 0) -> Outbound:
        return cls(
            recipient=str(payload["recipient"]),
            text=str(payload.get("text", "")),
            author_name=str(payload.get("author_name", "")),
            attachments=list(payload.get("attachments") or []),
            message_id=int(payload.get("message_id") or 0),
            delivery_id=delivery_id,
        )


class SendError(Exception):
    """A send that did not go through.

    ``retryable``: worth another try later (network, 5xx, 429); else the reply has failed.
    ``retry_after_secs``: the channel said when to come back (a 429's retry_after).
    """

    def __init__(
        self, reason: str, *, retryable: bool, retry_after_secs: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after_secs = retry_after_secs


def retryable_status(status: int) -> bool:
    """HTTP statuses worth retrying: timeouts, rate limits, server errors."""
    return status in (408, 429) or status >= 500


class Sends(Protocol):
    async def send(self, out: Outbound) -> str:
        """Deliver ``out``; the message's id on the channel. Raises ``SendError``."""
        ...
