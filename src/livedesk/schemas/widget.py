"""What a widget visitor sends and gets."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from livedesk.schemas.base import Email, In, Out
from livedesk.schemas.sessions import WithAttachments


class VisitorCreate(In):
    name: Annotated[str, Field(max_length=200)] | None = None
    email: Email | None = None


class VisitorOut(Out):
    visitor_token: str
    contact_id: int


class WidgetMessageIn(WithAttachments):
    pass


class WidgetConfigOut(Out):
    livechat_name: str
    operators_online: bool
    offline_message: str
    prechat_form: bool = False
