"""Attachments: uploads by operators and visitors, files messengers hold, and downloads.

An attachment as messages carry it (``attachment_of``)::

    {"id": 12, "type": "image", "name": "receipt.png", "content_type": "image/png",
     "size": 48213, "url": "/api/files/<key>/receipt.png"}

``type`` is ``image``, ``audio``, ``video`` or ``file``; a channel may add its own
fields (Telegram keeps its label, e.g. "Voice message"). The URL's key is random and
unguessable: it is the capability to read the file, as in the best chat tools.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from livedesk.config import Settings
from livedesk.db.session import DbSession
from livedesk.lib.errors import ApiError, bad_request, not_found
from livedesk.lib.storage import FileStore
from livedesk.models import Channel, Message, StoredFile
from livedesk.realtime.runtime import Runtime

MAX_ATTACHMENTS = 10
MAX_NAME_CHARS = 255
DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Shown in the page (``inline``); anything else downloads. SVG can carry script: it downloads.
INLINE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "audio/ogg", "audio/mpeg", "video/mp4"}
)
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")

# Fetches a messenger-held file through its channel: (channel, remote id) -> (bytes, type).
FetchRemote = Callable[[Channel, str], Awaitable[tuple[bytes, str]]]


def store_for(settings: Settings) -> FileStore:
    return FileStore(settings.resolved_files_dir())


def kind_of(content_type: str) -> str:
    major = content_type.split("/", 1)[0]
    return major if major in ("image", "audio", "video") else "file"


def clean_name(name: str | None) -> str:
    """A file name safe to show and to put in a URL and a header: no path, no controls."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    return name[:MAX_NAME_CHARS] or "file"


def clean_content_type(value: str | None) -> str:
    value = (value or "").split(";", 1)[0].strip().lower()
    return value if _CONTENT_TYPE.match(value) else DEFAULT_CONTENT_TYPE


def file_url(f: StoredFile) -> str:
    return f"/api/files/{f.key}/{quote(f.name, safe='')}"


def attachment_of(f: StoredFile, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "id": f.id,
        "type": kind_of(f.content_type),
        "name": f.name,
        "content_type": f.content_type,
        "size": f.size,
        "url": file_url(f),
    }


def _new_key() -> str:
    return secrets.token_urlsafe(24)


async def do_upload(
    db: DbSession,
    *,
    livechat_id: int,
    uploader: str,
    name: str,
    content_type: str,
    sha256: str,
    size: int,
) -> StoredFile:
    """Record an upload whose bytes are already in the store."""
    f = StoredFile(
        key=_new_key(),
        livechat_id=livechat_id,
        uploader=uploader,
        name=clean_name(name),
        content_type=clean_content_type(content_type),
        size=size,
        sha256=sha256,
        stored=True,
    )
    db.add(f)
    await db.flush()
    return f


def register_remote(
    db: DbSession,
    *,
    livechat_id: int,
    channel_id: int,
    remote_id: str,
    name: str,
    content_type: str | None,
    size: int | None,
) -> StoredFile:
    """A file a messenger holds; fetched through its channel on the first download."""
    f = StoredFile(
        key=_new_key(),
        livechat_id=livechat_id,
        uploader=None,
        name=clean_name(name),
        content_type=clean_content_type(content_type),
        size=size,
        stored=False,
        channel_id=channel_id,
        remote_id=remote_id,
    )
    db.add(f)
    return f


def invalid_attachment(file_id: int) -> ApiError:
    return bad_request(
        "invalid_attachment",
        f"attachments: file {file_id} is not an upload of yours that can be attached here.",
    )


async def claim_uploads(
    db: DbSession, file_ids: Sequence[int], *, livechat_id: int, uploader: str
) -> list[StoredFile]:
    """The caller's own, not yet attached uploads of this live chat, in the order given,
    locked so that one upload is attached to one message only."""
    if not file_ids:
        return []
    if len(set(file_ids)) != len(file_ids):
        raise bad_request("invalid_attachment", "attachments: the same file is listed twice.")
    rows = await db.execute(select(StoredFile).where(StoredFile.id.in_(file_ids)).with_for_update())
    found = {f.id: f for f in rows.scalars()}
    for file_id in file_ids:
        f = found.get(file_id)
        if (
            f is None
            or f.livechat_id != livechat_id
            or f.uploader != uploader
            or f.message_id is not None
        ):
            raise invalid_attachment(file_id)
    return [found[i] for i in file_ids]


def attach(m: Message, files: Sequence[StoredFile]) -> list[dict[str, Any]]:
    """Link claimed uploads to a flushed message; the attachments to store on it."""
    for f in files:
        f.message_id = m.id
    return [attachment_of(f) for f in files]


async def read_bytes(rt: Runtime, f: StoredFile, fetch: FetchRemote | None = None) -> bytes:
    """A file's bytes; a messenger-held file is fetched through its channel once and kept."""
    store = store_for(rt.settings)
    if f.stored and f.sha256:
        return await store.get(f.sha256)
    if fetch is None or f.channel_id is None or f.remote_id is None:
        raise ApiError(404, "file_unavailable", "This file is not available.")
    async with rt.read() as db:
        channel = await db.get(Channel, f.channel_id)
    if channel is None:
        raise ApiError(404, "file_unavailable", "This file's channel no longer exists.")
    data, content_type = await fetch(channel, f.remote_id)
    digest = await store.put(data)
    async with rt.tx() as db:
        row = await db.get(StoredFile, f.id, with_for_update=True)
        if row is not None:
            row.stored, row.sha256, row.size = True, digest, len(data)
            if f.content_type == DEFAULT_CONTENT_TYPE:
                row.content_type = clean_content_type(content_type)
    f.stored, f.sha256, f.size = True, digest, len(data)
    return data


async def file_by_key(rt: Runtime, key: str) -> StoredFile:
    async with rt.read() as db:
        row = await db.execute(select(StoredFile).where(StoredFile.key == key))
        f = row.scalar_one_or_none()
    if f is None:
        raise not_found("file")
    return f
