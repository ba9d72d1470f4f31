"""Editing a channel (PATCH /api/channels/{id}): validated settings that take effect at once,
and switching a channel off and on again."""

from __future__ import annotations

from typing import Any

import httpx

from livedesk.api.widget_assets import widget_dist
from tests.channels.helpers import (
    api_chat,
    deliver,
    messages,
    only_session,
    telegram_chat,
    update,
    wait_delivery,
)
from tests.channels.standin import StandIn
from tests.client import Api, Desk


def _widget(desk: Desk, **config: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    chat = desk.livechat("Shop")
    channel = desk.admin.post(
        f"/api/livechats/{chat['id']}/channels", {"kind": "widget", "config": config}, expect=201
    )
    return chat, dict(channel)


def _error(api: Api, method: str, path: str, body: Any, status: int) -> dict[str, str]:
    return dict(api.request(method, path, status, json=body)["error"])


def _frame_ancestors(base: str, widget_key: str) -> str:
    assert widget_dist() is not None, "build the widget first (make widget)"
    with httpx.Client(base_url=base, timeout=30) as http:
        policy = http.get("/widget/frame", params={"key": widget_key}).headers[
            "content-security-policy"
        ]
    found = [d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors")]
    return found[0] if found else ""


def _widget_config(base: str, widget_key: str) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=30) as http:
        return http.get(f"/api/widget/{widget_key}/config")


def test_new_allowed_origins_and_prechat_form_apply_at_once(desk: Desk) -> None:
    _, channel = _widget(desk, allowed_origins=["https://old.example"])
    key = channel["widget_key"]
    assert _frame_ancestors(desk.base, key) == "frame-ancestors 'self' https://old.example"

    path = f"/api/channels/{channel['id']}"
    body = {"config": {"allowed_origins": ["https://shop.example/", "http://*.shop.example:8080"]}}
    edited = desk.admin.patch(path, body)
    assert edited["config"]["allowed_origins"] == [
        "https://shop.example",
        "http://*.shop.example:8080",
    ]
    assert _frame_ancestors(desk.base, key) == (
        "frame-ancestors 'self' https://shop.example http://*.shop.example:8080"
    )
    assert _widget_config(desk.base, key).json()["prechat_form"] is False
    desk.admin.patch(path, {"config": {"prechat_form": True}, "name": "Shop site"})
    assert _widget_config(desk.base, key).json()["prechat_form"] is True
    # Keys not given stay as they were.
    got = desk.admin.get(path)
    assert got["name"] == "Shop site" and got["enabled"] is True
    assert got["config"]["allowed_origins"] == [
        "https://shop.example",
        "http://*.shop.example:8080",
    ]
    # An empty list lets any site embed the chat again.
    desk.admin.patch(path, {"config": {"allowed_origins": []}})
    assert _frame_ancestors(desk.base, key) == ""


def test_bad_settings_name_the_field_and_change_nothing(desk: Desk) -> None:
    _, channel = _widget(desk, allowed_origins=["https://shop.example"])
    path = f"/api/channels/{channel['id']}"
    cases = [
        ({"allowed_origins": ["https://ok.example", "shop.example"]}, "config.allowed_origins.1"),
        ({"allowed_origins": ["https://a.example/path"]}, "config.allowed_origins.0"),
        ({"allowed_origins": ["x; script-src *"]}, "config.allowed_origins.0"),
        ({"allowed_origins": "https://a.example"}, "config.allowed_origins"),
        ({"prechat_form": "maybe"}, "config.prechat_form"),
        ({"colour": "red"}, "config.colour"),
        ({"webhook_error": None}, "config.webhook_error"),
    ]
    for config, field in cases:
        error = _error(desk.admin, "PATCH", path, {"config": config, "name": "Renamed"}, 422)
        assert error["code"] == "validation_error"
        assert error["message"].startswith(field + ":"), (config, error)
    for body, field in (({"name": ""}, "name"), ({"enabled": "sometimes"}, "enabled")):
        error = _error(desk.admin, "PATCH", path, body, 422)
        assert field in error["message"], error
    got = desk.admin.get(path)
    assert got["name"] == channel["name"]
    assert got["config"]["allowed_origins"] == ["https://shop.example"]
    # The same rules hold when a channel is created.
    error = _error(
        desk.admin,
        "POST",
        f"/api/livechats/{channel['livechat_id']}/channels",
        {"kind": "widget", "config": {"allowed_origins": ["ftp://files.example"]}},
        422,
    )
    assert error["message"].startswith("config.allowed_origins.0:")


def test_unknown_channels_are_404_and_only_admins_may_edit(desk: Desk) -> None:
    op = desk.user()
    _, channel = _widget(desk)
    assert _error(desk.admin, "GET", "/api/channels/999999", None, 404)["code"] == "not_found"
    assert _error(desk.admin, "PATCH", "/api/channels/999999", {"name": "x"}, 404)["code"] == (
        "not_found"
    )
    error = _error(op, "PATCH", f"/api/channels/{channel['id']}", {"enabled": False}, 403)
    assert error["code"] == "admin_only"
    assert desk.admin.get(f"/api/channels/{channel['id']}")["enabled"] is True


def test_a_disabled_widget_stops_working_until_enabled(desk: Desk) -> None:
    chat, channel = _widget(desk)
    chat["widget_key"] = channel["widget_key"]
    visitor = desk.visitor(chat, "Early Customer")
    path = f"/api/channels/{channel['id']}"
    assert desk.admin.patch(path, {"enabled": False})["enabled"] is False
    assert _widget_config(desk.base, channel["widget_key"]).status_code == 404
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        r = http.post(
            f"/api/widget/{channel['widget_key']}/messages",
            json={"text": "anyone?"},
            headers={"Authorization": f"Visitor {visitor.token}"},
        )
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    desk.admin.patch(path, {"enabled": True})
    assert visitor.say("hello again")["text"] == "hello again"


def test_a_disabled_messenger_channel_refuses_inbound_and_its_replies_fail(
    desk: Desk, standin: StandIn
) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    assert deliver(desk.base, channel, update("text")).status_code == 200
    s = only_session(op, chat["id"])
    op.post(f"/api/sessions/{s['id']}/take")
    desk.admin.patch(f"/api/channels/{channel['id']}", {"enabled": False})

    r = deliver(desk.base, channel, update("sticker"))
    assert (r.status_code, r.json()["error"]["code"]) == (403, "channel_disabled")
    # Without the secret, nobody learns more than before.
    assert deliver(desk.base, channel, update("sticker"), secret="wrong").status_code == 401
    m = op.post(f"/api/sessions/{s['id']}/messages", {"text": "Hello?"}, expect=201)
    failed = wait_delivery(op, s["id"], m["id"], "failed")
    assert failed["delivery_error"] == "the channel is disabled"
    assert standin.requests("sendMessage") == []

    desk.admin.patch(f"/api/channels/{channel['id']}", {"enabled": True})
    assert deliver(desk.base, channel, update("sticker")).json()["stored"] == 1
    assert messages(op, s["id"])[0]["text"] == "[Sticker 👍]"


def test_an_api_channel_takes_a_new_reply_url(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    _, channel = api_chat(desk, op, url=f"{standin.url}/old")
    path = f"/api/channels/{channel['id']}"
    for url in ("ftp://x.example/hook", "not a url", "https://"):
        error = _error(desk.admin, "PATCH", path, {"config": {"url": url}}, 422)
        assert error["message"].startswith("config.url:"), error
    edited = desk.admin.patch(path, {"config": {"url": f"{standin.url}/new"}})
    assert edited["config"]["url"] == f"{standin.url}/new" and edited["token"] is None

    headers = {"Authorization": f"Bearer {channel['token']}"}
    body = {"sender_id": "u1", "sender_name": "Jan", "text": "hi"}
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        r = http.post(f"/api/channels/api/{channel['id']}/messages", json=body, headers=headers)
        assert r.status_code == 200, r.text
        s = only_session(op, channel["livechat_id"])
        op.post(f"/api/sessions/{s['id']}/take")
        m = op.post(f"/api/sessions/{s['id']}/messages", {"text": "Hello"}, expect=201)
        wait_delivery(op, s["id"], m["id"], "sent")
        assert [r.method for r in standin.requests()] == ["new"]

        desk.admin.patch(path, {"enabled": False})
        r = http.post(f"/api/channels/api/{channel['id']}/messages", json=body, headers=headers)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "channel_disabled")
        r = http.post(f"/api/channels/api/{channel['id']}/messages", json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (401, "invalid_token")


def test_a_telegram_channel_needs_a_bot_token(desk: Desk) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    path = f"/api/livechats/{chat['id']}/channels"
    for config in ({}, {"bot_token": "nonsense"}, {"bot_token": 12345}):
        error = _error(desk.admin, "POST", path, {"kind": "telegram", "config": config}, 422)
        assert error["message"].startswith("config.bot_token:"), error
    error = _error(
        desk.admin,
        "PATCH",
        f"/api/channels/{channel['id']}",
        {"config": {"bot_token": "123:has spaces"}},
        422,
    )
    assert error["message"].startswith("config.bot_token:")
    got = desk.admin.get(f"/api/channels/{channel['id']}")
    assert got["config"] == {"bot_token_hint": "7012345678:…"}
    assert got["secret"] is None and got["webhook_url"] is None and got["webhook_error"] is None
