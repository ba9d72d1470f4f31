"""WebSocket endpoints: ``/api/events`` for users, the widget's events socket for visitors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from sqlalchemy import select

from livedesk.actions.events import users
from livedesk.api.deps import (
    Ctx,
    authenticate,
    authenticate_visitor,
    user_by_api_token,
    visitor_token,
)
from livedesk.lib.access import access_session, load_roles
from livedesk.lib.errors import ApiError
from livedesk.lib.members import load_members
from livedesk.models import ChatSession, SessionStatus
from livedesk.realtime.connection import serve_socket
from livedesk.realtime.envelope import contact_recipient, user_recipient
from livedesk.realtime.log import publish_ephemeral
from livedesk.realtime.runtime import Runtime

router = APIRouter(tags=["events"])
POLICY_VIOLATION = 1008


def _since(ws: WebSocket) -> int | None:
    raw = ws.query_params.get("since")
    return int(raw) if raw is not None and raw.isdigit() else None


def _same_origin(ws: WebSocket) -> bool:
    """Cookie-authenticated sockets must come from our own pages (no cross-site hijacking)."""
    origin = ws.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == ws.headers.get("host")


async def _user_ctx(ws: WebSocket, rt: Runtime) -> Ctx | None:
    token = ws.query_params.get("token")
    if token:
        async with rt.read() as db:
            user = await user_by_api_token(db, token)
        return Ctx(rt, user) if user is not None and user.is_active else None
    if not _same_origin(ws):
        return None
    try:
        return await authenticate(ws, rt, check_csrf=False)
    except ApiError:
        return None


@router.websocket("/api/events")
async def user_events(ws: WebSocket) -> None:
    rt: Runtime = ws.app.state.runtime
    ctx = await _user_ctx(ws, rt)
    if ctx is None:
        await ws.close(POLICY_VIOLATION)
        return
    await ws.accept()
    # Only the id and name live on with the socket, not the user's row (memory per socket).
    user_id, name = ctx.user.id, ctx.user.name
    del ctx

    async def on_frame(frame: dict[str, Any]) -> None:
        if frame.get("type") == "typing" and isinstance(frame.get("session_id"), int):
            typing = bool(frame.get("typing", True))
            await _operator_typing(rt, user_id, name, frame["session_id"], typing)

    await serve_socket(ws, rt.engine, rt.hub, user_recipient(user_id), _since(ws), on_frame)


async def _operator_typing(
    rt: Runtime, user_id: int, name: str, session_id: int, typing: bool
) -> None:
    async with rt.read() as db:
        roles = await load_roles(db, user_id)
        try:
            s = await access_session(db, roles, session_id)
        except ApiError:
            return
        audience = users((await load_members(db, s.livechat_id)).who_see(s) - {user_id})
    data = {
        "session_id": s.id,
        "author": {"kind": "operator", "id": user_id, "name": name},
        "typing": typing,
    }
    await publish_ephemeral(rt.bus, "typing", data, [*audience, contact_recipient(s.contact_id)])


@router.websocket("/api/widget/{widget_key}/events")
async def visitor_events(ws: WebSocket, widget_key: str) -> None:
    rt: Runtime = ws.app.state.runtime
    try:
        token = visitor_token(ws, ws.query_params.get("visitor_token", ""))
        visitor = await authenticate_visitor(rt, widget_key, token)
    except ApiError:
        await ws.close(POLICY_VIOLATION)
        return
    await ws.accept()
    contact_id, name = visitor.contact.id, visitor.contact.name
    del visitor

    async def on_frame(frame: dict[str, Any]) -> None:
        if frame.get("type") != "typing":
            return
        async with rt.read() as db:
            s = (
                await db.execute(
                    select(ChatSession).where(
                        ChatSession.contact_id == contact_id,
                        ChatSession.status != SessionStatus.closed,
                    )
                )
            ).scalar_one_or_none()
            if s is None:
                return
            audience = users((await load_members(db, s.livechat_id)).who_see(s))
        data = {
            "session_id": s.id,
            "author": {"kind": "customer", "id": None, "name": name},
            "typing": bool(frame.get("typing", True)),
        }
        await publish_ephemeral(rt.bus, "typing", data, audience)

    await serve_socket(ws, rt.engine, rt.hub, contact_recipient(contact_id), _since(ws), on_frame)
