"""Apps and items: admins define apps; operators create items from chats and register
customers (the Account section); each change of an item goes out to the app's webhook."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from livedesk.actions.events import stage_message, system_line
from livedesk.db.session import DbSession
from livedesk.lib.access import Roles, access_contact, access_item, access_session
from livedesk.lib.errors import ApiError, conflict, not_found
from livedesk.lib.fields import check_values, invalid, searchable, title_of, visible_values
from livedesk.lib.members import load_members
from livedesk.models import (
    App,
    Contact,
    Item,
    LiveChat,
    Message,
    User,
    WebhookDelivery,
)
from livedesk.models.base import utcnow
from livedesk.schemas.apps import AppCreate, AppPublic, AppUpdate, FieldOut, ItemPublic
from livedesk.schemas.users import UserBrief


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


def present_app(app: App, *, admin: bool) -> AppPublic:
    return AppPublic(
        id=app.id,
        name=app.name,
        fields=[FieldOut.model_validate(f) for f in app.fields],
        webhook_url=app.webhook_url if admin else None,
        webhook_secret=app.webhook_secret if admin else None,
        created_at=app.created_at,
        updated_at=app.updated_at,
    )


async def present_items(db: DbSession, app: App, items: Sequence[Item]) -> list[ItemPublic]:
    user_ids = {i.created_by for i in items if i.created_by is not None}
    users = {}
    if user_ids:
        rows = await db.execute(select(User).where(User.id.in_(user_ids)))
        users = {u.id: u for u in rows.scalars()}
    return [
        ItemPublic(
            id=i.id,
            app_id=i.app_id,
            title=title_of(app.fields, i.values, i.id),
            fields=visible_values(app.fields, i.values),
            livechat_id=i.livechat_id,
            session_id=i.session_id,
            contact_id=i.contact_id,
            created_by=UserBrief.model_validate(users[i.created_by])
            if i.created_by in users
            else None,
            created_at=i.created_at,
            updated_at=i.updated_at,
        )
        for i in items
    ]


async def _name_taken(db: DbSession, name: str, except_id: int | None = None) -> None:
    row = await db.execute(select(App.id).where(App.name == name, App.id != (except_id or 0)))
    if row.first() is not None:
        raise conflict("app_name_taken", f"An app named {name!r} already exists.")


async def do_create_app(db: DbSession, data: AppCreate) -> App:
    await _name_taken(db, data.name)
    app = App(
        name=data.name,
        fields=[f.model_dump(exclude_none=True) for f in data.fields],
        webhook_url=data.webhook_url,
        webhook_secret=new_webhook_secret(),
    )
    db.add(app)
    await db.flush()
    return app


async def do_update_app(db: DbSession, app: App, data: AppUpdate) -> App:
    """Rename, change the webhook, or replace the field list. Fields may be added, removed,
    relabelled, made (not) required, and get new options; a key keeps its type, so that
    stored values stay valid (remove the field and add one with a new key instead)."""
    changes = data.model_dump(exclude_unset=True)
    if data.name is not None:
        await _name_taken(db, data.name, app.id)
        app.name = data.name
    if "webhook_url" in changes:
        app.webhook_url = data.webhook_url
    if data.fields is not None:
        old_types = {str(f["key"]): str(f["type"]) for f in app.fields}
        for f in data.fields:
            if f.key in old_types and old_types[f.key] != f.type:
                raise conflict(
                    "field_type_changed",
                    f"fields.{f.key}: a field keeps its type ({old_types[f.key]}); "
                    "remove it and add a field with a new key instead.",
                )
        app.fields = [f.model_dump(exclude_none=True) for f in data.fields]
    app.updated_at = utcnow()
    await db.flush()
    return app


async def _check_contacts(
    db: DbSession, roles: Roles, is_admin: bool, app: App, values: dict[str, Any]
) -> None:
    """A contact field must name a contact the user may see."""
    for f in app.fields:
        if f["type"] != "contact" or f["key"] not in values:
            continue
        try:
            if is_admin:
                if await db.get(Contact, values[f["key"]]) is None:
                    raise not_found("contact")
            else:
                await access_contact(db, roles, values[f["key"]])
        except ApiError:
            raise invalid(f["key"], "no such contact") from None


def _enqueue_webhook(db: DbSession, app: App, event: str, item: ItemPublic) -> None:
    if not app.webhook_url:
        return
    db.add(
        WebhookDelivery(
            app_id=app.id,
            url=app.webhook_url,
            payload={
                "event": event,
                "app": {"id": app.id, "name": app.name},
                "item": item.model_dump(mode="json"),
            },
            next_attempt_at=utcnow(),
        )
    )


async def do_create_item(
    db: DbSession,
    user: User,
    roles: Roles,
    app: App,
    given: dict[str, Any],
    *,
    livechat_id: int | None = None,
    session_id: int | None = None,
    contact_id: int | None = None,
) -> Item:
    values = check_values(app.fields, given)
    await _check_contacts(db, roles, user.is_admin, app, values)
    item = Item(
        app_id=app.id,
        values=values,
        search_text=searchable(app.fields, values),
        livechat_id=livechat_id,
        session_id=session_id,
        contact_id=contact_id,
        created_by=user.id,
        updated_by=user.id,
    )
    db.add(item)
    await db.flush()
    _enqueue_webhook(db, app, "item.created", (await present_items(db, app, [item]))[0])
    return item


async def do_update_item(
    db: DbSession, user: User, roles: Roles, app: App, item: Item, given: dict[str, Any]
) -> Item:
    values = check_values(app.fields, given, current=item.values)
    await _check_contacts(db, roles, user.is_admin, app, {k: values.get(k) for k in given})
    item.values = values
    item.search_text = searchable(app.fields, values)
    item.updated_by = user.id
    item.updated_at = utcnow()
    await db.flush()
    _enqueue_webhook(db, app, "item.updated", (await present_items(db, app, [item]))[0])
    return item


async def get_app(db: DbSession, app_id: int) -> App:
    app = await db.get(App, app_id)
    if app is None:
        raise not_found("app")
    return app


async def _bound_app(db: DbSession, chat: LiveChat, setting: str, code: str, what: str) -> App:
    app_id = chat.settings.get(setting)
    app = await db.get(App, app_id) if isinstance(app_id, int) else None
    if app is None:
        raise conflict(code, f"This live chat has no {what} app bound in its settings.")
    return app


async def do_session_item(
    db: DbSession, user: User, roles: Roles, session_id: int, given: dict[str, Any]
) -> tuple[App, Item, Message]:
    """An item of the live chat's item app, created from a chat and linked to the session
    and its contact; a system line in the dialog points to it."""
    s = await access_session(db, roles, session_id, for_update=True)
    chat = await db.get(LiveChat, s.livechat_id)
    assert chat is not None
    app = await _bound_app(db, chat, "item_app_id", "no_item_app", "item")
    item = await do_create_item(
        db,
        user,
        roles,
        app,
        given,
        livechat_id=s.livechat_id,
        session_id=s.id,
        contact_id=s.contact_id,
    )
    title = title_of(app.fields, item.values, item.id)
    # Operators only: the customer never sees the desk's records.
    line = system_line(
        s,
        "item_created",
        f"{user.name} created {app.name} {title}",
        author=user,
        internal=True,
        actor=user.name,
        app_id=app.id,
        app_name=app.name,
        item_id=item.id,
        title=title,
    )
    db.add(line)
    await db.flush()
    members = await load_members(db, s.livechat_id)
    stage_message(db, line, members.who_see(s), to_customer=False)
    return app, item, line


async def linked_contact_ids(db: DbSession, contact: Contact) -> list[int]:
    """The contact and every contact of the same live chat linked to the same customer
    record: one person on several channels, whose dialog shows all their history."""
    if contact.account_item_id is None:
        return [contact.id]
    rows = await db.execute(
        select(Contact.id).where(
            Contact.livechat_id == contact.livechat_id,
            Contact.account_item_id == contact.account_item_id,
        )
    )
    return sorted({contact.id, *rows.scalars()})


async def do_account(
    db: DbSession,
    user: User,
    roles: Roles,
    contact_id: int,
    given: dict[str, Any] | None,
    item_id: int | None,
) -> tuple[App, Item, Contact]:
    """Create a customer record from the contact, or link an existing one to it."""
    contact = await access_contact(db, roles, contact_id)
    chat = await db.get(LiveChat, contact.livechat_id)
    assert chat is not None
    app = await _bound_app(db, chat, "customer_app_id", "no_customer_app", "customer")
    if item_id is not None:
        item = await access_item(db, roles, user.is_admin, app.id, item_id)
    else:
        item = await do_create_item(
            db,
            user,
            roles,
            app,
            given or {},
            livechat_id=contact.livechat_id,
            contact_id=contact.id,
        )
    contact.account_item_id = item.id
    await db.flush()
    return app, item, contact


async def do_unlink_account(db: DbSession, roles: Roles, contact_id: int) -> Contact:
    contact = await access_contact(db, roles, contact_id)
    contact.account_item_id = None
    await db.flush()
    return contact
