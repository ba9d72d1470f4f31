"""Attachments: upload (operators and widget visitors) and download.

An upload is the raw file as the request body, its type in ``Content-Type`` and its
name in ``?name=``::

    curl -X POST --data-binary @receipt.png -H 'Content-Type: image/png' \\
         -H 'Authorization: Bearer TOKEN' '/api/sessions/7/files?name=receipt.png'

It answers with the attachment; send its ``id`` in a message's ``attachments``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from livedesk.actions.files import (
    INLINE_TYPES,
    attachment_of,
    do_upload,
    file_by_key,
    read_bytes,
    store_for,
)
from livedesk.api.deps import CurrentCtx, VisitorDep
from livedesk.api.widget import limit_visitor
from livedesk.lib.access import access_session
from livedesk.lib.errors import bad_request, conflict
from livedesk.models import SessionStatus
from livedesk.realtime.runtime import Runtime
from livedesk.schemas.sessions import AttachmentOut

router = APIRouter(tags=["files"])
FileName = Annotated[str, Query(min_length=1, max_length=255)]


async def _body(request: Request) -> bytes:
    data = await request.body()
    if not data:
        raise bad_request("empty_file", "The file is empty: send its bytes as the request body.")
    return data


async def _store(rt: Runtime, data: bytes) -> str:
    return await store_for(rt.settings).put(data)


@router.post("/api/sessions/{session_id}/files", status_code=201)
async def upload_operator_file(
    session_id: int, name: FileName, request: Request, ctx: CurrentCtx
) -> AttachmentOut:
    """An operator's upload, to attach to a reply or note in this session."""
    async with ctx.read() as (db, roles):
        s = await access_session(db, roles, session_id)
        livechat_id = s.livechat_id
    data = await _body(request)
    digest = await _store(ctx.rt, data)
    async with ctx.tx() as (db, roles):
        s = await access_session(db, roles, session_id)
        if s.status is SessionStatus.closed:
            raise conflict("session_closed", "This session is closed.")
        f = await do_upload(
            db,
            livechat_id=livechat_id,
            uploader=f"u{ctx.user.id}",
            name=name,
            content_type=request.headers.get("content-type", ""),
            sha256=digest,
            size=len(data),
        )
        return AttachmentOut.model_validate(attachment_of(f))


@router.post("/api/widget/{widget_key}/files", status_code=201)
async def upload_visitor_file(
    name: FileName, request: Request, visitor: VisitorDep
) -> AttachmentOut:
    """A widget visitor's upload, to attach to their next message."""
    limit_visitor(request, f"visitor:{visitor.identity.id}")
    data = await _body(request)
    digest = await _store(visitor.rt, data)
    async with visitor.rt.tx() as db:
        f = await do_upload(
            db,
            livechat_id=visitor.channel.livechat_id,
            uploader=f"c{visitor.contact.id}",
            name=name,
            content_type=request.headers.get("content-type", ""),
            sha256=digest,
            size=len(data),
        )
        return AttachmentOut.model_validate(attachment_of(f))


def _disposition(name: str, inline: bool) -> str:
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "") or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get("/api/files/{key}/{name}", response_class=Response)
async def download_file(key: str, name: str, request: Request) -> Response:
    """A file by its key (the key is the capability; the name is for the browser)."""
    rt: Runtime = request.app.state.runtime
    f = await file_by_key(rt, key)
    data = await read_bytes(rt, f, getattr(request.app.state, "fetch_remote", None))
    return Response(
        content=data,
        media_type=f.content_type,
        headers={
            "Content-Disposition": _disposition(f.name, f.content_type in INLINE_TYPES),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=31536000, immutable",
        },
    )
