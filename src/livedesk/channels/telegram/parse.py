"""Bot API ``Update`` -> ``Inbound``: text, media (labeled placeholders), edits, the sender.

Only private chats with people: a bot added to a group or a channel posts nothing here.
A media file becomes an attachment with its ``remote_id`` (the Bot API ``file_id``), a
name and a content type: the server registers it as a file fetched on first download
(the bytes need the bot token, so Telegram file URLs never reach browsers). The message
text is the caption, or a labeled placeholder such as ``[Sticker 😀]``.
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
# Name and type of the media Telegram sends without them (photos are always JPEG).
_DEFAULT_FILES = {
    "photo": ("photo.jpg", "image/jpeg"),
    "document": ("document", "application/octet-stream"),
    "voice": ("voice.ogg", "audio/ogg"),
    "video": ("video.mp4", "video/mp4"),
    "video_note": ("video-message.mp4", "video/mp4"),
    "audio": ("audio.mp3", "audio/mpeg"),
    "animation": ("animation.mp4", "video/mp4"),
}
_STICKER_FILES = {
    "is_animated": ("sticker.tgs", "application/x-tgsticker"),
    "is_video": ("sticker.webm", "video/webm"),
}
_STATIC_STICKER = ("sticker.webp", "image/webp")


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
    if isinstance(value.get("file_id"), str):
        found.update(_file_of(kind, value))
    if kind == "sticker" and "emoji" in value:
        found["emoji"] = value["emoji"]
    return [found]


def _file_of(kind: str, value: dict[str, Any]) -> Attachment:
    if kind == "sticker":
        name, content_type = next(
            (named for flag, named in _STICKER_FILES.items() if value.get(flag)), _STATIC_STICKER
        )
    else:
        name, content_type = _DEFAULT_FILES.get(kind, ("file", "application/octet-stream"))
    found: Attachment = {
        "remote_id": value["file_id"],
        "name": value.get("file_name") or name,
        "content_type": value.get("mime_type") or content_type,
        "size": value.get("file_size"),
    }
    if isinstance(value.get("duration"), int):
        found["duration"] = value["duration"]
    return found
