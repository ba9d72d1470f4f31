"""Users, login and tokens."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from livedesk.models import UserStatus
from livedesk.schemas.base import Email, In, Out

Password = Annotated[str, Field(min_length=4, max_length=200)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class UserPublic(Out):
    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    status: UserStatus
    locale: str


class UserBrief(Out):
    id: int
    name: str
    status: UserStatus


class UserCreate(In):
    email: Email
    name: Name
    password: Password
    is_admin: bool = False
    locale: Annotated[str, Field(pattern="^(en|ru)$")] = "en"


class UserUpdate(In):
    email: Email | None = None
    name: Name | None = None
    password: Password | None = None
    is_admin: bool | None = None
    is_active: bool | None = None
    locale: Annotated[str, Field(pattern="^(en|ru)$")] | None = None


class LoginIn(In):
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class LoginOut(UserPublic):
    csrf_token: str


class StatusIn(In):
    status: UserStatus


class TokenIn(In):
    name: Name


class TokenOut(Out):
    id: int
    name: str
    token: str


class LiveChatMembership(Out):
    id: int
    name: str
    roles: list[str]


class MeOut(UserPublic):
    livechats: list[LiveChatMembership]
    counters: dict[str, Any]
    # With cookie auth: the CSRF token to send back, so a reloaded page needs no new login.
    csrf_token: str | None = None
