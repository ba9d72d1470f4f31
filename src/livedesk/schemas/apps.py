"""Apps, their field definitions, and items."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from livedesk.schemas.base import In, Out
from livedesk.schemas.sessions import MessagePublic
from livedesk.schemas.users import UserBrief

FieldType = Literal[
    "string", "text", "number", "date", "boolean", "select", "email", "phone", "contact"
]
MAX_FIELDS = 50
MAX_OPTIONS = 100
FieldKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Option = Annotated[str, Field(min_length=1, max_length=200)]
HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s]+$", max_length=2000)]


class FieldDef(In):
    key: FieldKey
    label: Annotated[str, Field(min_length=1, max_length=200)]
    type: FieldType
    required: bool = False
    options: Annotated[list[Option], Field(max_length=MAX_OPTIONS)] | None = None

    @model_validator(mode="after")
    def _options(self) -> FieldDef:
        if self.type == "select":
            if not self.options:
                raise ValueError(f"fields.{self.key}.options: a select field needs options")
            if len(set(self.options)) != len(self.options):
                raise ValueError(f"fields.{self.key}.options: options must be unique")
        elif self.options:
            raise ValueError(f"fields.{self.key}.options: only select fields have options")
        return self


FieldList = Annotated[list[FieldDef], Field(max_length=MAX_FIELDS)]


def _unique_keys(fields: list[FieldDef] | None) -> None:
    keys = [f.key for f in fields or []]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"fields: the key {dupes[0]!r} is used twice")


class AppCreate(In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    fields: FieldList
    webhook_url: HttpUrl | None = None

    @model_validator(mode="after")
    def _keys(self) -> AppCreate:
        _unique_keys(self.fields)
        return self


class AppUpdate(In):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    fields: FieldList | None = None
    webhook_url: HttpUrl | None = None

    @model_validator(mode="after")
    def _keys(self) -> AppUpdate:
        _unique_keys(self.fields)
        return self


class FieldOut(Out):
    key: str
    label: str
    type: str
    required: bool = False
    options: list[str] | None = None


class AppPublic(Out):
    id: int
    name: str
    fields: list[FieldOut]
    webhook_url: str | None = None
    # Admins only: the key the webhook's X-Livedesk-Signature is computed with.
    webhook_secret: str | None = None
    created_at: datetime
    updated_at: datetime


class ItemIn(In):
    fields: Annotated[dict[str, Any], Field(max_length=MAX_FIELDS)]


class ItemPublic(Out):
    id: int
    app_id: int
    title: str
    fields: dict[str, Any]
    livechat_id: int | None
    session_id: int | None
    contact_id: int | None
    created_by: UserBrief | None
    created_at: datetime
    updated_at: datetime


class ItemPage(Out):
    items: list[ItemPublic]
    total: int
    next_offset: int | None


class AccountIn(In):
    """Create a customer record from the contact (``fields``) or link one (``item_id``)."""

    fields: Annotated[dict[str, Any], Field(max_length=MAX_FIELDS)] | None = None
    item_id: int | None = None

    @model_validator(mode="after")
    def _one(self) -> AccountIn:
        if (self.fields is None) == (self.item_id is None):
            raise ValueError("send either fields (a new record) or item_id (an existing one)")
        return self


class AccountOut(Out):
    """A contact's customer record, and every contact linked to it (merged history)."""

    contact_id: int
    account: ItemPublic | None
    linked_contact_ids: list[int]


class SessionItemOut(Out):
    item: ItemPublic
    # The system line the dialog shows ("… created Requests #12").
    message: MessagePublic
