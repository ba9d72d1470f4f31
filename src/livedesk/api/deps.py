"""Request dependencies: the runtime, the authenticated user (cookie + CSRF, or bearer
token), the visitor of a widget. Routes declare them with the ``Annotated`` aliases below.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam, select
from starlette.requests import HTTPConnection

from livedesk.actions.widget import refuse_visitor, visitors_by_token
from livedesk.db.session import DbSession
from livedesk.lib.access import Roles, load_roles
from livedesk.lib.errors import ApiError
from livedesk.lib.passwords import token_hash
from livedesk.models import (
    ApiToken,
    AuthSession,
    Channel,
    Contact,
    ContactIdentity,
    User,
)
from livedesk.models.base import utcnow
from livedesk.realtime.runtime import Runtime

SESSION_COOKIE = "livedesk_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_runtime(conn: HTTPConnection) -> Runtime:
    # async: FastAPI runs a plain function dependency on a worker thread, a thread hop
    # on every request for one attribute.
    rt: Runtime = conn.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@dataclass
class Ctx:
    """The authenticated user of a request, with the runtime to act through."""

    rt: Runtime
    user: User
    csrf_token: str | None = None

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[tuple[DbSession, Roles]]:
        async with self.rt.tx() as db:
            yield db, await load_roles(db, self.user.id)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[tuple[DbSession, Roles]]:
        async with self.rt.read() as db:
            yield db, await load_roles(db, self.user.id)


# Every authenticated request runs one of these two: built once, so that a request does not
# build the statement and its cache key again.
_BY_COOKIE = (
    select(User, AuthSession.csrf_token)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(
        AuthSession.token_hash == bindparam("token_hash"),
        AuthSession.expires_at > bindparam("now"),
    )
)
_BY_API_TOKEN = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


async def _user_by_cookie(db: DbSession, token: str) -> tuple[User, str] | None:
    params = {"token_hash": token_hash(token), "now": utcnow()}
    row = (await db.execute(_BY_COOKIE, params)).first()
    return (row[0], row[1]) if row else None


async def user_by_api_token(db: DbSession, token: str) -> User | None:
    row = await db.execute(_BY_API_TOKEN, {"token_hash": token_hash(token)})
    return row.scalar_one_or_none()


def _bearer(conn: HTTPConnection, scheme: str) -> str | None:
    header = conn.headers.get("authorization", "")
    prefix = f"{scheme} "
    if header[: len(prefix)].lower() == prefix.lower():
        return header[len(prefix) :].strip() or None
    return None


async def authenticate(conn: HTTPConnection, rt: Runtime, *, check_csrf: bool) -> Ctx:
    async with rt.read() as db:
        bearer = _bearer(conn, "Bearer")
        if bearer is not None:
            user = await user_by_api_token(db, bearer)
            if user is None or not user.is_active:
                raise ApiError(401, "invalid_token", "The API token is not valid.")
            return Ctx(rt, user)
        cookie = conn.cookies.get(SESSION_COOKIE)
        found = await _user_by_cookie(db, cookie) if cookie else None
    if found is None or not found[0].is_active:
        raise ApiError(401, "not_authenticated", "Log in first.")
    user, csrf = found
    if check_csrf and not hmac.compare_digest(conn.headers.get(CSRF_HEADER, ""), csrf):
        raise ApiError(403, "csrf_failed", f"Missing or wrong {CSRF_HEADER} header.")
    return Ctx(rt, user, csrf)


async def current_ctx(request: Request, rt: RuntimeDep) -> Ctx:
    return await authenticate(request, rt, check_csrf=request.method not in SAFE_METHODS)


async def admin_ctx(ctx: Annotated[Ctx, Depends(current_ctx)]) -> Ctx:
    if not ctx.user.is_admin:
        raise ApiError(403, "admin_only", "Only administrators can do this.")
    return ctx


CurrentCtx = Annotated[Ctx, Depends(current_ctx)]
AdminCtx = Annotated[Ctx, Depends(admin_ctx)]


@dataclass
class Visitor:
    rt: Runtime
    channel: Channel
    contact: Contact
    identity: ContactIdentity


def visitor_token(conn: HTTPConnection, token: str | None = None) -> str:
    """The visitor's bearer token (``Authorization: Visitor <token>``, or ``token``)."""
    token = token if token is not None else _bearer(conn, "Visitor")
    if not token:
        raise ApiError(401, "visitor_token_required", "Send Authorization: Visitor <token>.")
    return token


async def authenticate_visitor(rt: Runtime, widget_key: str, token: str) -> Visitor:
    key = (widget_key, token_hash(token))
    async with rt.read() as db:
        found = (await visitors_by_token(db, [key])).get(key)
        if found is None:
            raise await refuse_visitor(db, widget_key)
    return Visitor(rt, found.channel, found.contact, found.identity)


async def current_visitor(request: Request, widget_key: str, rt: RuntimeDep) -> Visitor:
    return await authenticate_visitor(rt, widget_key, visitor_token(request))


VisitorDep = Annotated[Visitor, Depends(current_visitor)]
