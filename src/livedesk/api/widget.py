"""The widget's customer side: visitors, their messages, their history."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from livedesk.actions.widget import (
    VisitorPost,
    do_create_visitor,
    post_visitor_messages,
    widget_channel,
)
from livedesk.api.deps import RuntimeDep, VisitorDep, get_runtime, visitor_token
from livedesk.api.fastpath import FastRoute, json_body, json_response
from livedesk.lib.errors import ApiError
from livedesk.lib.members import load_members, online_users
from livedesk.lib.passwords import token_hash
from livedesk.lib.present import present_message
from livedesk.models import AuthorKind, LiveChat, Message
from livedesk.realtime.runtime import Runtime
from livedesk.schemas.sessions import MessagePublic
from livedesk.schemas.widget import VisitorCreate, VisitorOut, WidgetConfigOut, WidgetMessageIn

router = APIRouter(prefix="/api/widget/{widget_key}", tags=["widget"])


def limit_visitor(request: Request, key: str) -> None:
    if not request.app.state.visitor_limiter.hit(key):
        raise ApiError(429, "rate_limited", "Too many requests; slow down.")


@router.get("/config")
async def widget_config(widget_key: str, rt: RuntimeDep) -> WidgetConfigOut:
    async with rt.read() as db:
        channel = await widget_channel(db, widget_key)
        chat = await db.get(LiveChat, channel.livechat_id)
        assert chat is not None
        online = await online_users(db, set((await load_members(db, chat.id)).operators))
    return WidgetConfigOut(
        livechat_name=chat.name,
        operators_online=bool(online),
        offline_message=str(chat.settings.get("offline_message") or ""),
        prechat_form=bool(channel.config.get("prechat_form")),
    )


@router.post("/visitors", status_code=201)
async def create_visitor(
    widget_key: str, request: Request, rt: RuntimeDep, body: VisitorCreate | None = None
) -> VisitorOut:
    limit_visitor(request, f"ip:{request.client.host if request.client else '?'}")
    async with rt.tx() as db:
        channel = await widget_channel(db, widget_key)
        contact, token = await do_create_visitor(
            db,
            channel,
            body.name if body else None,
            str(body.email) if body and body.email else None,
        )
    return VisitorOut(visitor_token=token, contact_id=contact.id)


@router.post("/messages", status_code=201)
async def post_message(
    widget_key: str, body: WidgetMessageIn, request: Request, rt: RuntimeDep
) -> MessagePublic:
    """A visitor's message: stored, and delivered to the live chat's operators."""
    # Served by ``post_message_fast`` (api/fastpath.py); this route documents it.
    return await _post_message(request, rt, widget_key, body)


async def post_message_fast(request: Request) -> Response:
    body = await json_body(request, WidgetMessageIn)
    rt = await get_runtime(request)
    message = await _post_message(request, rt, request.path_params["widget_key"], body)
    return json_response(message, 201)


async def _post_message(
    request: Request, rt: Runtime, widget_key: str, body: WidgetMessageIn
) -> MessagePublic:
    hashed = token_hash(visitor_token(request))
    limit_visitor(request, f"visitor:{hashed}")
    # Visitors' messages are the hottest write: concurrent ones are checked and written
    # together, in one transaction (db/batch.py).
    post = VisitorPost(widget_key, hashed, body.text, body.attachments)
    return present_message(await rt.tx_grouped(post_visitor_messages, post))


FAST_ROUTES = [FastRoute("POST", f"{router.prefix}/messages", post_message_fast)]


@router.get("/messages")
async def history(visitor: VisitorDep) -> list[MessagePublic]:
    """The visitor's whole history in this live chat, oldest first; no internal notes and
    no system lines."""
    async with visitor.rt.read() as db:
        rows = await db.execute(
            select(Message)
            .where(
                Message.contact_id == visitor.contact.id,
                Message.livechat_id == visitor.channel.livechat_id,
                Message.internal.is_(False),
                # Operators' system lines (taken, assigned, closed) are the desk's own
                # business, and the visitor's socket never carries them either.
                Message.author_kind != AuthorKind.system,
            )
            .order_by(Message.id)
        )
        return [present_message(m) for m in rows.scalars()]
