"""The two sides of a conversation, wherever their requests go: a widget customer and an
operator's workspace socket, and what each socket has shown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Desk, Visitor
from tests.realtime import EventSocket, cookie_header


@contextmanager
def admin_desk(base: str) -> Iterator[Desk]:
    """The administrator, logged in through ``base``, building live chats and operators
    (whose requests then go through ``base`` too)."""
    admin = Api(base).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    world = Desk(base, admin)
    try:
        yield world
    finally:
        world.close()
        admin.close()


def customer(base: str, chat: dict[str, Any], name: str) -> Visitor:
    """A widget customer who opens ``chat`` through ``base``."""
    with httpx.Client(base_url=base, timeout=30) as http:
        r = http.post(f"/api/widget/{chat['widget_key']}/visitors", json={"name": name})
    assert r.status_code == 201, r.text
    data = r.json()
    return Visitor(base, chat["widget_key"], data["visitor_token"], data["contact_id"])


def operator_socket(api: Api, *, since: int = 0) -> EventSocket:
    """The workspace's socket, with the Origin a browser on the workspace page sends."""
    headers = {**cookie_header(api), "Origin": api.base}
    return EventSocket.open(api.base, "/api/events", headers=headers, since=since)


def widget_socket(v: Visitor) -> EventSocket:
    path = f"/api/widget/{v.widget_key}/events?visitor_token={v.token}"
    return EventSocket.open(v.base, path, since=0)


def message_ids(sock: EventSocket) -> list[int]:
    """The ids of the messages the socket showed, in the order it showed them."""
    return [f["data"]["message"]["id"] for f in sock.frames if f["type"] == "message.created"]


def logged_ids(sock: EventSocket) -> list[int]:
    return [int(f["id"]) for f in sock.frames if f["id"] is not None]
