"""Apps and items: definitions (admins), items (everyone, within what they may see),
items created from a chat, and customer accounts linked to contacts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import Select, func, select

from livedesk.actions.apps import (
    do_account,
    do_create_app,
    do_create_item,
    do_session_item,
    do_unlink_account,
    do_update_app,
    do_update_item,
    get_app,
    linked_contact_ids,
    present_app,
    present_items,
)
from livedesk.api.deps import AdminCtx, CurrentCtx
from livedesk.lib.access import access_contact, access_item, visible_items
from livedesk.lib.errors import ApiError, bad_request
from livedesk.lib.present import present_message
from livedesk.lib.textsearch import fold
from livedesk.models import App, Item
from livedesk.schemas.apps import (
    AccountIn,
    AccountOut,
    AppCreate,
    AppPublic,
    AppUpdate,
    ItemIn,
    ItemPage,
    ItemPublic,
    SessionItemOut,
)

router = APIRouter(prefix="/api", tags=["apps"])
RESERVED_PARAMS = frozenset({"q", "sort", "limit", "offset"})
MAX_PAGE = 200


@router.post("/apps", status_code=201)
async def create_app(body: AppCreate, ctx: AdminCtx) -> AppPublic:
    async with ctx.tx() as (db, _):
        return present_app(await do_create_app(db, body), admin=True)


@router.get("/apps")
async def list_apps(ctx: CurrentCtx) -> list[AppPublic]:
    """Every app with its fields (operators need them for the forms)."""
    async with ctx.read() as (db, _):
        rows = await db.execute(select(App).order_by(App.name, App.id))
        return [present_app(a, admin=ctx.user.is_admin) for a in rows.scalars()]


@router.get("/apps/{app_id}")
async def read_app(app_id: int, ctx: CurrentCtx) -> AppPublic:
    async with ctx.read() as (db, _):
        return present_app(await get_app(db, app_id), admin=ctx.user.is_admin)


@router.patch("/apps/{app_id}")
async def update_app(app_id: int, body: AppUpdate, ctx: AdminCtx) -> AppPublic:
    async with ctx.tx() as (db, _):
        app = await get_app(db, app_id)
        return present_app(await do_update_app(db, app, body), admin=True)


@router.post("/apps/{app_id}/items", status_code=201)
async def create_item(app_id: int, body: ItemIn, ctx: CurrentCtx) -> ItemPublic:
    """An item outside any chat: shared with every user."""
    async with ctx.tx() as (db, roles):
        app = await get_app(db, app_id)
        item = await do_create_item(db, ctx.user, roles, app, body.fields)
        return (await present_items(db, app, [item]))[0]


def _sort(app: App, sort: str) -> list[Any]:
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key in ("created_at", "updated_at", "id"):
        column: Any = getattr(Item, key)
    else:
        field = next((f for f in app.fields if f["key"] == key), None)
        if field is None:
            raise bad_request("invalid_sort", f"sort: this app has no field {key!r}")
        value = Item.values[key]
        column = value.as_float() if field["type"] == "number" else value.as_string()
    ordered = column.desc() if desc else column.asc()
    tie = Item.id.desc() if desc else Item.id.asc()
    return [ordered.nulls_last(), tie]


def _filters(app: App, request: Request, query: Select[Any]) -> Select[Any]:
    """``?<field key>=<value>``: items whose field equals the value."""
    by_key = {str(f["key"]): f for f in app.fields}
    for key, raw in request.query_params.multi_items():
        if key in RESERVED_PARAMS:
            continue
        field = by_key.get(key)
        if field is None:
            raise bad_request("invalid_filter", f"{key}: this app has no such field")
        kind = field["type"]
        value = Item.values[key]
        if kind == "boolean":
            if raw not in ("true", "false"):
                raise bad_request("invalid_filter", f"{key}: true or false")
            query = query.where(value.as_boolean().is_(raw == "true"))
        elif kind in ("number", "contact"):
            try:
                number = float(raw)
            except ValueError:
                raise bad_request("invalid_filter", f"{key}: not a number") from None
            query = query.where(value.as_float() == number)
        else:
            query = query.where(value.as_string() == raw)
    return query


@router.get("/apps/{app_id}/items")
async def list_items(
    app_id: int,
    request: Request,
    ctx: CurrentCtx,
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Annotated[str, Query(max_length=50)] = "-created_at",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ItemPage:
    """Items I may see, filtered by field values (``?status=open``), searched by text
    (``q``), sorted by a field or time (``sort=-created_at``, ``sort=title``), paged."""
    async with ctx.read() as (db, roles):
        app = await get_app(db, app_id)
        query = select(Item).where(Item.app_id == app.id, visible_items(roles, ctx.user.is_admin))
        query = _filters(app, request, query)
        if q.strip():
            pattern = "%" + fold(q.strip()).replace("\\", "\\\\").replace("%", "\\%") + "%"
            query = query.where(Item.search_text.like(pattern.replace("_", "\\_"), escape="\\"))
        total = (await db.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        rows = await db.execute(query.order_by(*_sort(app, sort)).offset(offset).limit(limit))
        items = await present_items(db, app, list(rows.scalars()))
        more = offset + len(items) < total
        return ItemPage(items=items, total=total, next_offset=offset + len(items) if more else None)


@router.get("/apps/{app_id}/items/{item_id}")
async def read_item(app_id: int, item_id: int, ctx: CurrentCtx) -> ItemPublic:
    async with ctx.read() as (db, roles):
        app = await get_app(db, app_id)
        item = await access_item(db, roles, ctx.user.is_admin, app.id, item_id)
        return (await present_items(db, app, [item]))[0]


@router.patch("/apps/{app_id}/items/{item_id}")
async def update_item(app_id: int, item_id: int, body: ItemIn, ctx: CurrentCtx) -> ItemPublic:
    async with ctx.tx() as (db, roles):
        app = await get_app(db, app_id)
        item = await access_item(db, roles, ctx.user.is_admin, app.id, item_id, for_update=True)
        item = await do_update_item(db, ctx.user, roles, app, item, body.fields)
        return (await present_items(db, app, [item]))[0]


@router.post("/sessions/{session_id}/items", status_code=201)
async def create_session_item(session_id: int, body: ItemIn, ctx: CurrentCtx) -> SessionItemOut:
    """An item of the live chat's item app, created from this chat (409 ``no_item_app``
    when none is bound); the dialog gets a system line linking to it."""
    async with ctx.tx() as (db, roles):
        app, item, line = await do_session_item(db, ctx.user, roles, session_id, body.fields)
        public = (await present_items(db, app, [item]))[0]
        return SessionItemOut(item=public, message=present_message(line))


@router.get("/contacts/{contact_id}/items")
async def contact_items(contact_id: int, ctx: CurrentCtx) -> list[ItemPublic]:
    """Items linked to this contact (and to the contacts sharing its customer record)."""
    async with ctx.read() as (db, roles):
        contact = await access_contact(db, roles, contact_id)
        ids = await linked_contact_ids(db, contact)
        rows = await db.execute(
            select(Item)
            .where(Item.contact_id.in_(ids), visible_items(roles, ctx.user.is_admin))
            .order_by(Item.id.desc())
            .limit(MAX_PAGE)
        )
        items = list(rows.scalars())
        apps = await db.execute(select(App).where(App.id.in_({i.app_id for i in items})))
        public: dict[int, ItemPublic] = {}
        for app in apps.scalars():
            mine = [i for i in items if i.app_id == app.id]
            public.update((p.id, p) for p in await present_items(db, app, mine))
        return [public[i.id] for i in items]


async def _account_out(ctx: CurrentCtx, contact_id: int) -> AccountOut:
    async with ctx.read() as (db, roles):
        contact = await access_contact(db, roles, contact_id)
        if contact.account_item_id is None:
            return AccountOut(contact_id=contact.id, account=None, linked_contact_ids=[contact.id])
        item = await db.get(Item, contact.account_item_id)
        if item is None:
            raise ApiError(404, "not_found", "account not found")
        app = await get_app(db, item.app_id)
        return AccountOut(
            contact_id=contact.id,
            account=(await present_items(db, app, [item]))[0],
            linked_contact_ids=await linked_contact_ids(db, contact),
        )


@router.get("/contacts/{contact_id}/account")
async def read_account(contact_id: int, ctx: CurrentCtx) -> AccountOut:
    return await _account_out(ctx, contact_id)


@router.post("/contacts/{contact_id}/account")
async def set_account(contact_id: int, body: AccountIn, ctx: CurrentCtx) -> AccountOut:
    """Create a customer record from the contact (``fields``) in the live chat's customer
    app, or link an existing record (``item_id``): 409 ``no_customer_app`` when none."""
    async with ctx.tx() as (db, roles):
        await do_account(db, ctx.user, roles, contact_id, body.fields, body.item_id)
    return await _account_out(ctx, contact_id)


@router.delete("/contacts/{contact_id}/account")
async def unlink_account(contact_id: int, ctx: CurrentCtx) -> AccountOut:
    async with ctx.tx() as (db, roles):
        await do_unlink_account(db, roles, contact_id)
    return await _account_out(ctx, contact_id)
