"""Administration routes (admin only), and the live chat reads members need."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from livedesk.actions.admin import (
    do_create_channel,
    do_create_livechat,
    do_create_user,
    do_set_members,
    do_update_channel,
    do_update_livechat,
    do_update_user,
)
from livedesk.actions.channels import WEBHOOK_STATE_KEYS, sync_webhook
from livedesk.api.channels import ChannelHttp
from livedesk.api.deps import AdminCtx, CurrentCtx
from livedesk.channels.telegram import webhook_path
from livedesk.db.session import DbSession
from livedesk.lib.access import access_livechat
from livedesk.lib.counters import counters_for, group_sizes
from livedesk.lib.errors import not_found
from livedesk.lib.passwords import hash_password_async
from livedesk.models import Channel, ChannelKind, LiveChat, Membership, User
from livedesk.schemas.livechats import (
    ChannelCreate,
    ChannelPublic,
    ChannelUpdate,
    GroupCounts,
    LiveChatCreate,
    LiveChatDetail,
    LiveChatPublic,
    LiveChatUpdate,
    MemberOut,
    MembersIn,
)
from livedesk.schemas.users import UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/api", tags=["administration"])


@router.post("/users", status_code=201)
async def create_user(body: UserCreate, ctx: AdminCtx) -> UserPublic:
    password_hash = await hash_password_async(body.password)
    async with ctx.tx() as (db, _):
        return UserPublic.model_validate(await do_create_user(db, body, password_hash))


@router.get("/users")
async def list_users(ctx: AdminCtx) -> list[UserPublic]:
    async with ctx.read() as (db, _):
        users = (await db.execute(select(User).order_by(User.id))).scalars()
        return [UserPublic.model_validate(u) for u in users]


@router.patch("/users/{user_id}")
async def update_user(user_id: int, body: UserUpdate, ctx: AdminCtx) -> UserPublic:
    password_hash = await hash_password_async(body.password) if body.password else None
    async with ctx.tx() as (db, _):
        return UserPublic.model_validate(await do_update_user(db, user_id, body, password_hash))


_HIDDEN_CONFIG = ("bot_token", *WEBHOOK_STATE_KEYS)


def channel_public(c: Channel, token: str | None = None, *, reveal: bool = False) -> ChannelPublic:
    """``reveal``: include the telegram webhook secret (when it is made: shown once)."""
    config = {k: v for k, v in c.config.items() if k not in _HIDDEN_CONFIG}
    is_telegram = c.kind is ChannelKind.telegram
    if is_telegram and isinstance(c.config.get("bot_token"), str):
        config["bot_token_hint"] = c.config["bot_token"].split(":")[0] + ":…"
    return ChannelPublic(
        id=c.id,
        livechat_id=c.livechat_id,
        kind=c.kind,
        name=c.name,
        config=config,
        enabled=c.is_active,
        widget_key=c.widget_key,
        webhook_path=webhook_path(c.id) if is_telegram else None,
        webhook_url=c.config.get("webhook_url") if is_telegram else None,
        webhook_error=c.config.get("webhook_error") if is_telegram else None,
        secret=c.secret if reveal and is_telegram else None,
        token=token,
        created_at=c.created_at,
    )


async def _detail(
    db: DbSession, chat: LiveChat, roles_in: list[str], counters: dict[str, int]
) -> LiveChatDetail:
    rows = await db.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.livechat_id == chat.id)
        .order_by(User.name)
    )
    members = [
        MemberOut(
            id=u.id,
            name=u.name,
            email=u.email,
            status=u.status.value,
            roles=[
                r for r, on in (("operator", m.is_operator), ("supervisor", m.is_supervisor)) if on
            ],
        )
        for u, m in rows
    ]
    channels = (await db.execute(select(Channel).where(Channel.livechat_id == chat.id))).scalars()
    return LiveChatDetail(
        id=chat.id,
        name=chat.name,
        settings=chat.settings,
        created_at=chat.created_at,
        roles=roles_in,
        counters=counters,
        members=members,
        channels=[channel_public(c) for c in channels],
    )


@router.post("/livechats", status_code=201)
async def create_livechat(body: LiveChatCreate, ctx: AdminCtx) -> LiveChatDetail:
    async with ctx.tx() as (db, _):
        chat = await do_create_livechat(db, body.name, body.settings)
        return await _detail(db, chat, [], {})


@router.get("/livechats")
async def list_livechats(ctx: CurrentCtx) -> list[LiveChatPublic]:
    """The live chats I belong to (admins: all), with my roles, counters and group sizes."""
    async with ctx.read() as (db, roles):
        query = select(LiveChat).order_by(LiveChat.name, LiveChat.id)
        if not ctx.user.is_admin:
            query = query.where(LiveChat.id.in_(roles.livechats))
        counters = (await counters_for(db, roles))["livechats"]
        sizes = await group_sizes(db, roles)
        return [
            LiveChatPublic(
                id=c.id,
                name=c.name,
                settings=c.settings,
                created_at=c.created_at,
                roles=roles.roles_in(c.id),
                counters=counters.get(str(c.id), {}),
                groups=GroupCounts(**sizes[c.id]) if c.id in sizes else None,
            )
            for c in (await db.execute(query)).scalars()
        ]


@router.get("/livechats/{livechat_id}")
async def get_livechat(livechat_id: int, ctx: CurrentCtx) -> LiveChatDetail:
    async with ctx.read() as (db, roles):
        chat = await access_livechat(db, roles, ctx.user, livechat_id)
        counters = (await counters_for(db, roles))["livechats"].get(str(chat.id), {})
        return await _detail(db, chat, roles.roles_in(chat.id), counters)


@router.patch("/livechats/{livechat_id}")
async def update_livechat(livechat_id: int, body: LiveChatUpdate, ctx: AdminCtx) -> LiveChatDetail:
    async with ctx.tx() as (db, roles):
        chat = await db.get(LiveChat, livechat_id)
        if chat is None:
            raise not_found("live chat")
        await do_update_livechat(db, chat, body.name, body.settings)
        return await _detail(db, chat, roles.roles_in(chat.id), {})


@router.put("/livechats/{livechat_id}/members")
async def set_members(livechat_id: int, body: MembersIn, ctx: AdminCtx) -> LiveChatDetail:
    async with ctx.tx() as (db, roles):
        chat = await db.get(LiveChat, livechat_id)
        if chat is None:
            raise not_found("live chat")
        await do_set_members(db, chat, body)
        return await _detail(db, chat, roles.roles_in(chat.id), {})


@router.post("/livechats/{livechat_id}/channels", status_code=201)
async def create_channel(
    livechat_id: int, body: ChannelCreate, ctx: AdminCtx, http: ChannelHttp
) -> ChannelPublic:
    """A telegram channel's webhook is registered once the channel is committed (with
    LIVEDESK_PUBLIC_URL); a slow or failing Bot API shows as ``webhook_error``."""
    async with ctx.tx() as (db, _):
        chat = await db.get(LiveChat, livechat_id)
        if chat is None:
            raise not_found("live chat")
        channel, token = await do_create_channel(db, chat, body)
    wait = ctx.rt.settings.telegram_webhook_timeout_secs
    channel = await sync_webhook(ctx.rt, http, channel, wait_secs=wait)
    return channel_public(channel, token, reveal=True)


@router.get("/channels/{channel_id}")
async def get_channel(channel_id: int, ctx: AdminCtx) -> ChannelPublic:
    async with ctx.read() as (db, _):
        channel = await db.get(Channel, channel_id)
    if channel is None:
        raise not_found("channel")
    return channel_public(channel)


@router.patch("/channels/{channel_id}")
async def update_channel(
    channel_id: int, body: ChannelUpdate, ctx: AdminCtx, http: ChannelHttp
) -> ChannelPublic:
    """Takes effect at once. A telegram channel given a new ``bot_token`` gets a new webhook
    secret (in the answer) and its webhook moved to the new bot, as when it was created."""
    async with ctx.tx() as (db, _):
        edited = await do_update_channel(db, channel_id, body)
    channel = edited.channel
    if edited.webhook_stale:
        wait = ctx.rt.settings.telegram_webhook_timeout_secs
        channel = await sync_webhook(
            ctx.rt, http, channel, previous_bot_token=edited.previous_bot_token, wait_secs=wait
        )
    return channel_public(channel, reveal=edited.secret_rotated)
