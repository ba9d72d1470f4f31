"""Logins, logouts, API tokens, operator status."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select

from livedesk.actions.events import users
from livedesk.db.session import DbSession
from livedesk.lib.errors import ApiError
from livedesk.lib.passwords import (
    hash_password_async,
    new_token,
    token_hash,
    verify_password_async,
)
from livedesk.models import ApiToken, AuthSession, Membership, User, UserStatus
from livedesk.models.base import utcnow
from livedesk.realtime.log import bus_of, publish_ephemeral
from livedesk.realtime.runtime import Runtime

LOGIN_TTL = timedelta(days=14)


async def check_login(rt: Runtime, email: str, password: str) -> tuple[User, str, str]:
    """Verify the password (off the event loop, holding no connection), then open a login.

    Returns (user, cookie token, CSRF token).
    """
    async with rt.read() as db:
        query = select(User).where(func.lower(User.email) == email.strip().lower())
        user = (await db.execute(query)).scalar_one_or_none()
    ok = await verify_password_async(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise ApiError(401, "invalid_credentials", "Wrong e-mail or password.")
    async with rt.tx() as db:
        token, csrf = await do_start_login(db, user)
    return user, token, csrf


async def do_start_login(db: DbSession, user: User) -> tuple[str, str]:
    token, csrf = new_token(), secrets.token_urlsafe(24)
    now = utcnow()
    db.add(
        AuthSession(
            token_hash=token_hash(token),
            csrf_token=csrf,
            user_id=user.id,
            created_at=now,
            expires_at=now + LOGIN_TTL,
        )
    )
    await db.execute(delete(AuthSession).where(AuthSession.expires_at < now))
    return token, csrf


async def do_logout(db: DbSession, cookie_token: str) -> None:
    await db.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash(cookie_token)))


async def do_create_token(db: DbSession, user: User, name: str) -> tuple[ApiToken, str]:
    token = new_token()
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash(token))
    db.add(row)
    await db.flush()
    return row, token


async def do_set_status(db: DbSession, user: User, status: UserStatus) -> User:
    row = await db.get(User, user.id, with_for_update=True)
    assert row is not None
    if row.status is status:
        return row
    row.status = status
    peers = await db.execute(
        select(Membership.user_id)
        .distinct()
        .where(
            Membership.livechat_id.in_(
                select(Membership.livechat_id).where(Membership.user_id == user.id)
            )
        )
    )
    audience = users(set(peers.scalars()) | {user.id})
    data = {"user_id": user.id, "name": row.name, "status": status.value}

    async def _announce(session: DbSession) -> None:
        await publish_ephemeral(bus_of(session), "presence", data, audience)

    db.after_commit(_announce)
    return row


async def do_create_admin(db: DbSession, email: str, password: str, name: str) -> User:
    """Create an admin, or reset the password of the existing user with that e-mail."""
    query = select(User).where(func.lower(User.email) == email.lower())
    user = (await db.execute(query)).scalar_one_or_none()
    if user is None:
        user = User(email=email.lower(), name=name, password_hash="")
        db.add(user)
    user.password_hash = await hash_password_async(password)
    user.is_admin = True
    user.is_active = True
    await db.flush()
    return user
