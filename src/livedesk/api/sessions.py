"""The operator workspace: session lists, dialog, take / assign / close, read, counters, search."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, Select, and_, or_, select
from starlette.requests import Request
from starlette.responses import Response

from livedesk.actions.apps import linked_contact_ids
from livedesk.actions.conversations import do_operator_message, do_read
from livedesk.actions.sessions import do_assign, do_close, do_take, do_take_next
from livedesk.api.deps import Ctx, CurrentCtx, current_ctx, get_runtime
from livedesk.api.fastpath import FastRoute, json_response
from livedesk.db.session import DbSession
from livedesk.lib.access import Roles, access_contact, access_session, visible_sessions
from livedesk.lib.counters import counters_for
from livedesk.lib.errors import bad_request, not_found
from livedesk.lib.present import present_message, present_session, present_sessions
from livedesk.lib.search import search_message_ids, search_session_ids
from livedesk.models import (
    Channel,
    ChatSession,
    Contact,
    ContactIdentity,
    Message,
    SessionStatus,
)
from livedesk.schemas.livechats import CountersPublic
from livedesk.schemas.sessions import (
    AssignIn,
    ContactPublic,
    Group,
    IdentityOut,
    MessageCreate,
    MessagePage,
    MessagePublic,
    ReadIn,
    SearchOut,
    SessionPage,
    SessionPublic,
    TakeNextIn,
)

router = APIRouter(prefix="/api", tags=["workspace"])
Limit = Annotated[int, Query(ge=1, le=200)]


def _group_clause(
    roles: Roles, group: Group | None, livechat_id: int | None
) -> ColumnElement[bool]:
    ops, sups = roles.operator_of, roles.supervisor_of
    if livechat_id is not None:
        if livechat_id not in roles.livechats:
            raise not_found("live chat")
        ops, sups = ops & {livechat_id}, sups & {livechat_id}
    uid, S = roles.user_id, ChatSession
    if group is None:  # every session I may see, in one list
        return and_(visible_sessions(roles), S.livechat_id.in_(ops | sups))
    if (group == "active" and not sups) or (group == "mine" and not ops):
        raise not_found("group")  # PRODUCT.md, "Groups": not in this user's menu
    if group == "mine":
        return and_(
            S.assignee_id == uid, S.status == SessionStatus.active, S.livechat_id.in_(ops | sups)
        )
    if group == "unassigned":
        return and_(S.status == SessionStatus.unassigned, S.livechat_id.in_(ops | sups))
    if group == "active":
        return and_(S.status == SessionStatus.active, S.livechat_id.in_(sups))
    return and_(
        S.status == SessionStatus.closed,
        or_(S.livechat_id.in_(sups), and_(S.livechat_id.in_(ops), S.last_assignee_id == uid)),
    )


def _encode_cursor(key: datetime, id_: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([key.isoformat(), id_])).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        key, id_ = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        moment = datetime.fromisoformat(key)
        if moment.tzinfo is None or not isinstance(id_, int) or not -(2**63) <= id_ < 2**63:
            raise ValueError("cursor out of range")
        return moment, id_
    except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise bad_request("invalid_cursor", "The cursor is not valid.") from exc


def _ordered(query: Select[Any], group: Group | None, cursor: str | None) -> Select[Any]:
    """Unassigned: the queue, oldest waiting first. Others: latest activity first."""
    S = ChatSession
    if group == "unassigned":
        col, asc = S.waiting_since, True
    else:
        col, asc = S.last_activity_at, False
    if cursor:
        key, id_ = _decode_cursor(cursor)
        after = (
            or_(col > key, and_(col == key, S.id > id_))
            if asc
            else or_(col < key, and_(col == key, S.id < id_))
        )
        query = query.where(after)
    return query.order_by(col.asc(), S.id.asc()) if asc else query.order_by(col.desc(), S.id.desc())


def _page_cursor(last: ChatSession, group: Group | None) -> str:
    key = last.waiting_since if group == "unassigned" else last.last_activity_at
    return _encode_cursor(key, last.id)


@router.get("/sessions")
async def list_sessions(
    ctx: CurrentCtx,
    group: Group | None = None,
    livechat_id: int | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> SessionPage:
    async with ctx.read() as (db, roles):
        query = select(ChatSession).where(_group_clause(roles, group, livechat_id))
        result = await db.execute(_ordered(query, group, cursor).limit(limit + 1))
        rows: list[ChatSession] = list(result.scalars())
        page, more = rows[:limit], len(rows) > limit
        next_cursor = _page_cursor(page[-1], group) if more else None
        return SessionPage(
            items=await present_sessions(db, ctx.user.id, page), next_cursor=next_cursor
        )


@router.get("/sessions/{session_id}")
async def get_session(session_id: int, ctx: CurrentCtx) -> SessionPublic:
    async with ctx.read() as (db, roles):
        return await present_session(db, ctx.user.id, await access_session(db, roles, session_id))


@router.get("/sessions/{session_id}/messages")
async def list_messages(
    session_id: int, ctx: CurrentCtx, before: int | None = None, limit: Limit = 50
) -> MessagePage:
    """This contact's messages in this live chat, earlier sessions included, newest first."""
    async with ctx.read() as (db, roles):
        s = await access_session(db, roles, session_id)
        contact = await db.get(Contact, s.contact_id)
        assert contact is not None
        query = select(Message).where(
            Message.contact_id.in_(await linked_contact_ids(db, contact)),
            Message.livechat_id == s.livechat_id,
        )
        if before is not None:
            query = query.where(Message.id < before)
        rows = list(
            (await db.execute(query.order_by(Message.id.desc()).limit(limit + 1))).scalars()
        )
    page = rows[:limit]
    return MessagePage(
        items=[present_message(m) for m in page],
        next_cursor=page[-1].id if len(rows) > limit else None,
    )


@router.post("/sessions/{session_id}/messages", status_code=201)
async def post_message(session_id: int, body: MessageCreate, ctx: CurrentCtx) -> MessagePublic:
    async with ctx.tx() as (db, roles):
        m = await do_operator_message(
            db, ctx.user, roles, session_id, body.text, body.internal, body.attachments
        )
    return present_message(m)


@router.post("/sessions/take-next")
async def take_next(ctx: CurrentCtx, body: TakeNextIn | None = None) -> SessionPublic:
    async with ctx.tx() as (db, roles):
        s = await do_take_next(db, ctx.user, roles, body.livechat_id if body else None)
        return await present_session(db, ctx.user.id, s)


@router.post("/sessions/{session_id}/take")
async def take(session_id: int, ctx: CurrentCtx) -> SessionPublic:
    async with ctx.tx() as (db, roles):
        return await present_session(
            db, ctx.user.id, await do_take(db, ctx.user, roles, session_id)
        )


@router.post("/sessions/{session_id}/assign")
async def assign(session_id: int, body: AssignIn, ctx: CurrentCtx) -> SessionPublic:
    async with ctx.tx() as (db, roles):
        s = await do_assign(db, ctx.user, roles, session_id, body.operator_id)
        return await present_session(db, ctx.user.id, s)


@router.post("/sessions/{session_id}/close")
async def close(session_id: int, ctx: CurrentCtx) -> SessionPublic:
    async with ctx.tx() as (db, roles):
        return await present_session(
            db, ctx.user.id, await do_close(db, ctx.user, roles, session_id)
        )


@router.post("/sessions/{session_id}/read")
async def read(session_id: int, body: ReadIn, ctx: CurrentCtx) -> dict[str, int]:
    async with ctx.tx() as (db, roles):
        cursor = await do_read(db, ctx.user, roles, session_id, body.message_id)
    return {"session_id": session_id, "message_id": cursor}


@router.get("/counters")
async def counters(ctx: CurrentCtx) -> CountersPublic:
    """My red and blue counters, their terms, and per live chat."""
    # Served by ``counters_fast`` (api/fastpath.py): the workspace asks for it after every
    # reconnect and integrations poll it. This route documents it.
    return await _counters(ctx)


async def counters_fast(request: Request) -> Response:
    return json_response(await _counters(await current_ctx(request, await get_runtime(request))))


async def _counters(ctx: Ctx) -> CountersPublic:
    async with ctx.read() as (db, roles):
        return CountersPublic.model_validate(await counters_for(db, roles))


FAST_ROUTES = [FastRoute("GET", f"{router.prefix}/counters", counters_fast)]


@router.get("/contacts/{contact_id}")
async def get_contact(contact_id: int, ctx: CurrentCtx) -> ContactPublic:
    async with ctx.read() as (db, roles):
        contact = await access_contact(db, roles, contact_id)
        rows = await db.execute(
            select(ContactIdentity, Channel.kind)
            .join(Channel, Channel.id == ContactIdentity.channel_id)
            .where(ContactIdentity.contact_id == contact.id)
        )
        identities = [
            IdentityOut(
                channel_id=i.channel_id,
                channel_kind=kind,
                external_id=i.external_id,
                username=i.username,
            )
            for i, kind in rows
        ]
        return ContactPublic(
            id=contact.id,
            name=contact.name,
            avatar_url=contact.avatar_url,
            livechat_id=contact.livechat_id,
            email=contact.email,
            phone=contact.phone,
            identities=identities,
            account_item_id=contact.account_item_id,
            created_at=contact.created_at,
        )


@router.get("/search")
async def search(
    ctx: CurrentCtx,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    session_id: int | None = None,
    limit: Limit = 50,
) -> SearchOut:
    """With ``session_id``: that chat's name and whole history. Without: chat names only."""
    async with ctx.read() as (db, roles):
        if session_id is None:
            ids = await search_session_ids(db, q, visible_sessions(roles), limit)
            found = await _sessions_in_order(db, ids)
            return SearchOut(sessions=await present_sessions(db, ctx.user.id, found))
        s = await access_session(db, roles, session_id)
        named = await search_session_ids(db, q, ChatSession.id == s.id, 1)
        contact = await db.get(Contact, s.contact_id)
        assert contact is not None
        contact_ids = await linked_contact_ids(db, contact)
        message_ids = await search_message_ids(db, q, s.livechat_id, contact_ids, limit)
        messages = await db.execute(
            select(Message).where(Message.id.in_(message_ids)).order_by(Message.id.desc())
        )
        sessions = await present_sessions(db, ctx.user.id, [s] if named else [])
        return SearchOut(
            sessions=sessions, messages=[present_message(m) for m in messages.scalars()]
        )


async def _sessions_in_order(db: DbSession, ids: list[int]) -> list[ChatSession]:
    rows = {
        s.id: s
        for s in (await db.execute(select(ChatSession).where(ChatSession.id.in_(ids)))).scalars()
    }
    return [rows[i] for i in ids if i in rows]
