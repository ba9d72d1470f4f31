"""Administration: users, live chats, members, channels."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, func, select

from livedesk.actions.events import stage_counters, users
from livedesk.db.session import DbSession
from livedesk.lib.errors import conflict, not_found, unprocessable
from livedesk.lib.passwords import new_token, token_hash
from livedesk.models import Channel, ChannelKind, LiveChat, Membership, User
from livedesk.realtime.log import stage_event
from livedesk.schemas.livechats import ChannelCreate, LiveChatSettings, MembersIn
from livedesk.schemas.users import UserCreate, UserUpdate

WIDGET_KEY_BYTES = 16


async def _email_taken(db: DbSession, email: str, except_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.lower())
    found = (await db.execute(query)).scalar_one_or_none()
    return found is not None and found != except_id


async def do_create_user(db: DbSession, data: UserCreate, password_hash: str) -> User:
    """``password_hash``: from ``hash_password_async``, computed before the transaction."""
    if await _email_taken(db, data.email):
        raise conflict("email_taken", "A user with this e-mail already exists.")
    user = User(
        email=data.email.lower(),
        name=data.name,
        password_hash=password_hash,
        is_admin=data.is_admin,
        locale=data.locale,
    )
    db.add(user)
    await db.flush()
    return user


async def do_update_user(
    db: DbSession, user_id: int, data: UserUpdate, password_hash: str | None = None
) -> User:
    user = await db.get(User, user_id, with_for_update=True)
    if user is None:
        raise not_found("user")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("email") and await _email_taken(db, changes["email"], user.id):
        raise conflict("email_taken", "A user with this e-mail already exists.")
    for key, value in changes.items():
        if value is None:
            continue
        if key == "password":
            assert password_hash is not None, "hash the new password before the transaction"
            user.password_hash = password_hash
        else:
            setattr(user, key, value.lower() if key == "email" else value)
    await db.flush()
    return user


async def do_create_livechat(
    db: DbSession, name: str, settings: LiveChatSettings | None
) -> LiveChat:
    chat = LiveChat(name=name, settings=(settings or LiveChatSettings()).model_dump())
    db.add(chat)
    await db.flush()
    return chat


async def do_update_livechat(
    db: DbSession, chat: LiveChat, name: str | None, settings: LiveChatSettings | None
) -> LiveChat:
    if name is not None:
        chat.name = name
    if settings is not None:
        chat.settings = {**chat.settings, **settings.model_dump(exclude_unset=True)}
    await db.flush()
    members = await db.execute(select(Membership.user_id).where(Membership.livechat_id == chat.id))
    stage_event(
        db, "livechat.updated", {"id": chat.id, "name": chat.name}, users(members.scalars())
    )
    return chat


async def do_set_members(db: DbSession, chat: LiveChat, data: MembersIn) -> None:
    wanted = set(data.operators) | set(data.supervisors)
    if wanted:
        found = set((await db.execute(select(User.id).where(User.id.in_(wanted)))).scalars())
        missing = sorted(wanted - found)
        if missing:
            raise unprocessable("unknown_user", f"Unknown user ids: {missing}.")
    old = set(
        (
            await db.execute(select(Membership.user_id).where(Membership.livechat_id == chat.id))
        ).scalars()
    )
    await db.execute(delete(Membership).where(Membership.livechat_id == chat.id))
    for user_id in sorted(wanted):
        db.add(
            Membership(
                livechat_id=chat.id,
                user_id=user_id,
                is_operator=user_id in data.operators,
                is_supervisor=user_id in data.supervisors,
            )
        )
    await db.flush()
    stage_event(db, "membership.changed", {"livechat_id": chat.id}, users(old | wanted))
    await stage_counters(db, old | wanted)


def _channel_config(data: ChannelCreate) -> tuple[dict[str, Any], dict[str, str | None]]:
    config = dict(data.config)
    extra: dict[str, str | None] = {"widget_key": None, "secret": None, "token": None}
    if data.kind is ChannelKind.widget:
        extra["widget_key"] = secrets.token_urlsafe(WIDGET_KEY_BYTES)
        config.setdefault("allowed_origins", [])
        config.setdefault("prechat_form", False)
    elif data.kind is ChannelKind.telegram:
        bot_token = config.get("bot_token")
        if not isinstance(bot_token, str) or ":" not in bot_token:
            raise unprocessable(
                "invalid_bot_token", "config.bot_token must be a Telegram bot token."
            )
        extra["secret"] = secrets.token_urlsafe(32)
    else:
        token = new_token()
        extra["token"], extra["secret"] = token, token_hash(token)
    return config, extra


async def do_create_channel(
    db: DbSession, chat: LiveChat, data: ChannelCreate
) -> tuple[Channel, str | None]:
    """Returns the channel and, for an api channel, its token (shown once)."""
    config, extra = _channel_config(data)
    channel = Channel(
        livechat_id=chat.id,
        kind=data.kind,
        name=data.name or data.kind.value,
        config=config,
        widget_key=extra["widget_key"],
        secret=extra["secret"],
    )
    db.add(channel)
    await db.flush()
    return channel, extra["token"]
