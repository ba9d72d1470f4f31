"""Bot API ``Update`` -> ``Inbound``: text, media (labeled placeholders), edits, the sender.

Only private chats with people: a bot added to a group or a channel posts nothing here.
Media are kept as attachments with their ``file_id`` (fetching the bytes needs the bot
token, so the server never hands Telegram file URLs to browsers); the message text is the
caption, or a labeled placeholder such as ``[Sticker 😀]`` where the content is not shown.
"""

from __future__ import annotations

from typing import Any

from livedesk.channels.base import Attachment, Inbound, Sender

# Message fields we recognise, with the label shown in place of what the desk cannot show.
MEDIA_LABELS = {
    "photo": "Photo",
    "document": "Document",
    "voice": "Voice message",
    "sticker": "Sticker",
    "video": "Video",
    "video_note": "Video message",
    "audio": "Audio",
    "animation": "GIF",
    "location": "Location",
    "contact": "Contact",
}
UNSUPPORTED_LABEL = "[Unsupported message]"
# Attachment fields copied from the Bot API objects (sizes, names, durations).
_KEPT_FIELDS = ("file_id", "file_unique_id", "file_name", "mime_type", "file_size", "duration")


def parse(update: dict[str, Any]) -> list[Inbound]:
    """The customer messages in one Update (zero or one); anything else is ignored."""
    edited = "edited_message" in update
    message = update.get("edited_message") if edited else update.get("message")
    if not isinstance(message, dict) or not _from_a_person_in_private(message):
        return []
    chat_id = message["chat"]["id"]
    update_id = update.get("update_id")
    return [
        Inbound(
            sender=_sender(message["from"]),
            text=_text(message),
            attachments=_attachments(message),
            dedupe_key=str(update_id) if isinstance(update_id, int) else None,
            external_id=f"{chat_id}:{message.get('message_id')}",
            edited=edited,
        )
    ]


def _from_a_person_in_private(message: dict[str, Any]) -> bool:
    sender, chat = message.get("from"), message.get("chat")
    return (
        isinstance(sender, dict)
        and isinstance(chat, dict)
        and chat.get("type") == "private"
        and not sender.get("is_bot", False)
        and isinstance(sender.get("id"), int)
    )


def _sender(user: dict[str, Any]) -> Sender:
    name = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)
    username = user.get("username")
    return Sender(
        external_id=str(user["id"]),
        name=name or (f"@{username}" if username else f"Telegram {user['id']}"),
        username=username,
    )


def _media_kind(message: dict[str, Any]) -> str | None:
    return next((kind for kind in MEDIA_LABELS if kind in message), None)


def _text(message: dict[str, Any]) -> str:
    text = message.get("text") or message.get("caption")
    if isinstance(text, str) and text:
        return text
    kind = _media_kind(message)
    if kind is None:
        return UNSUPPORTED_LABEL
    if kind == "sticker" and message["sticker"].get("emoji"):
        return f"[{MEDIA_LABELS[kind]} {message['sticker']['emoji']}]"
    return f"[{MEDIA_LABELS[kind]}]"


def _attachments(message: dict[str, Any]) -> list[Attachment]:
    kind = _media_kind(message)
    if kind is None:
        return []
    value = message[kind]
    if kind == "photo" and isinstance(value, list) and value:
        # Telegram sends every size, smallest first: keep the largest.
        value = max(value, key=lambda size: size.get("width", 0) * size.get("height", 0))
    if not isinstance(value, dict):
        return []
    found: Attachment = {"type": kind, "label": MEDIA_LABELS[kind]}
    found.update({k: value[k] for k in _KEPT_FIELDS if k in value})
    if kind == "sticker" and "emoji" in value:
        found["emoji"] = value["emoji"]
    return [found]
