"""Login, logout, tokens, me, status."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from livedesk.actions.auth import LOGIN_TTL, check_login, do_create_token, do_logout, do_set_status
from livedesk.api.deps import SESSION_COOKIE, CurrentCtx, RuntimeDep
from livedesk.lib.counters import counters_for
from livedesk.lib.errors import ApiError
from livedesk.models import LiveChat
from livedesk.schemas.users import (
    LiveChatMembership,
    LoginIn,
    LoginOut,
    MeOut,
    StatusIn,
    TokenIn,
    TokenOut,
    UserPublic,
)

router = APIRouter(prefix="/api", tags=["auth"])


def _client_key(request: Request, email: str) -> str:
    host = request.client.host if request.client else "?"
    return f"{host}|{email.strip().lower()}"


@router.post("/auth/login")
async def login(body: LoginIn, request: Request, response: Response, rt: RuntimeDep) -> LoginOut:
    limiter = request.app.state.login_limiter
    key = _client_key(request, body.email)
    if not limiter.hit(key):
        raise ApiError(429, "too_many_attempts", "Too many login attempts; wait a minute.")
    user, token, csrf = await check_login(rt, body.email, body.password)
    limiter.reset(key)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(LOGIN_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=rt.settings.secure_cookies,
        path="/",
    )
    return LoginOut(**UserPublic.model_validate(user).model_dump(), csrf_token=csrf)


@router.post("/auth/logout", status_code=204)
async def logout(ctx: CurrentCtx, request: Request, response: Response) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        async with ctx.rt.tx() as db:
            await do_logout(db, cookie)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.post("/tokens", status_code=201)
async def create_token(body: TokenIn, ctx: CurrentCtx) -> TokenOut:
    async with ctx.tx() as (db, _):
        row, token = await do_create_token(db, ctx.user, body.name)
    return TokenOut(id=row.id, name=row.name, token=token)


@router.get("/me")
async def me(ctx: CurrentCtx) -> MeOut:
    async with ctx.read() as (db, roles):
        chats = (
            await db.execute(select(LiveChat).where(LiveChat.id.in_(roles.livechats)))
        ).scalars()
        counters = await counters_for(db, roles)
        livechats = [
            LiveChatMembership(id=c.id, name=c.name, roles=roles.roles_in(c.id))
            for c in sorted(chats, key=lambda c: (c.name.lower(), c.id))
        ]
    user = UserPublic.model_validate(ctx.user).model_dump()
    return MeOut(**user, livechats=livechats, counters=counters, csrf_token=ctx.csrf_token)


@router.put("/me/status")
async def set_status(body: StatusIn, ctx: CurrentCtx) -> UserPublic:
    async with ctx.tx() as (db, _):
        user = await do_set_status(db, ctx.user, body.status)
    return UserPublic.model_validate(user)
