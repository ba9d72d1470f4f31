"""Administration: users, live chats, members, channels."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select

from livedesk.actions.events import stage_counters, users
from livedesk.db.session import DbSession
from livedesk.lib.errors import conflict, not_found, unprocessable
from livedesk.lib.passwords import new_token, token_hash
from livedesk.models import App, Channel, ChannelKind, LiveChat, Membership, User
from livedesk.realtime.log import stage_event
from livedesk.schemas.livechats import (
    CHANNEL_CONFIGS,
    ChannelCreate,
    ChannelUpdate,
    LiveChatSettings,
    MembersIn,
)
from livedesk.schemas.users import UserCreate, UserUpdate

WIDGET_KEY_BYTES = 16
TELEGRAM_SECRET_BYTES = 32


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


async def _check_apps(db: DbSession, settings: LiveChatSettings | None) -> None:
    """The apps a live chat's settings bind must exist."""
    for key in ("item_app_id", "customer_app_id"):
        app_id = getattr(settings, key, None)
        if app_id is not None and await db.get(App, app_id) is None:
            raise unprocessable("unknown_app", f"settings.{key}: there is no app {app_id}.")


async def do_create_livechat(
    db: DbSession, name: str, settings: LiveChatSettings | None
) -> LiveChat:
    await _check_apps(db, settings)
    chat = LiveChat(name=name, settings=(settings or LiveChatSettings()).model_dump())
    db.add(chat)
    await db.flush()
    return chat


async def do_update_livechat(
    db: DbSession, chat: LiveChat, name: str | None, settings: LiveChatSettings | None
) -> LiveChat:
    await _check_apps(db, settings)
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


def _describe(exc: ValidationError) -> str:
    parts = [
        f"config.{'.'.join(str(p) for p in e['loc']) or '?'}: {e['msg']}" for e in exc.errors()[:5]
    ]
    return "; ".join(parts)


def valid_config(kind: ChannelKind, raw: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """``raw`` checked against the kind's config model (422 naming the field); with
    ``partial``, only the keys given (an edit), else every setting with its default."""
    try:
        parsed = CHANNEL_CONFIGS[kind].model_validate(raw)
    except ValidationError as exc:
        raise unprocessable("validation_error", _describe(exc)) from None
    return parsed.model_dump(exclude_unset=partial, exclude_none=True)


def _channel_config(data: ChannelCreate) -> tuple[dict[str, Any], dict[str, str | None]]:
    config = valid_config(data.kind, data.config, partial=False)
    extra: dict[str, str | None] = {"widget_key": None, "secret": None, "token": None}
    if data.kind is ChannelKind.widget:
        extra["widget_key"] = secrets.token_urlsafe(WIDGET_KEY_BYTES)
    elif data.kind is ChannelKind.telegram:
        if "bot_token" not in config:
            raise unprocessable("validation_error", "config.bot_token: Field required")
        extra["secret"] = secrets.token_urlsafe(TELEGRAM_SECRET_BYTES)
    else:
        token = new_token()
        extra["token"], extra["secret"] = token, token_hash(token)
    return config, extra


async def do_create_channel(
    db: DbSession, chat: LiveChat, data: ChannelCreate
) -> tuple[Channel, str | None]:
    """Returns the channel and, for an api channel, its token (shown once). A telegram
    channel's webhook is registered after the commit (``actions.channels.sync_webhook``)."""
    config, extra = _channel_config(data)
    channel = Channel(
        livechat_id=chat.id,
        kind=data.kind,
        name=data.name or data.kind.value,
        config=config,
        widget_key=extra["widget_key"],
        secret=extra["secret"],
        is_active=True,
    )
    db.add(channel)
    await db.flush()
    return channel, extra["token"]


@dataclass(frozen=True)
class ChannelEdited:
    """``webhook_stale``: a telegram channel whose bot or on/off state changed: point
    Telegram at it (or away) after the commit. ``previous_bot_token``: the bot it left;
    ``secret_rotated``: a new webhook secret, shown in the answer."""

    channel: Channel
    webhook_stale: bool = False
    previous_bot_token: str | None = None
    secret_rotated: bool = False


async def do_update_channel(db: DbSession, channel_id: int, data: ChannelUpdate) -> ChannelEdited:
    """Edit a channel: everything is validated before anything changes."""
    channel = await db.get(Channel, channel_id, with_for_update=True)
    if channel is None:
        raise not_found("channel")
    changes = valid_config(channel.kind, data.config or {}, partial=True)
    old_token, was_active = channel.config.get("bot_token"), channel.is_active
    if data.name is not None:
        channel.name = data.name
    if data.enabled is not None:
        channel.is_active = data.enabled
    if changes:
        channel.config = {**channel.config, **changes}  # a new dict: JSON columns see it
    new_bot = "bot_token" in changes and changes["bot_token"] != old_token
    if new_bot:
        # The previous bot may still post to our URL: its updates stop matching the secret.
        channel.secret = secrets.token_urlsafe(TELEGRAM_SECRET_BYTES)
    await db.flush()
    return ChannelEdited(
        channel,
        webhook_stale=channel.kind is ChannelKind.telegram
        and (new_bot or was_active != channel.is_active),
        previous_bot_token=str(old_token) if new_bot and old_token else None,
        secret_rotated=new_bot,
    )
