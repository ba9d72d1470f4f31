"""The widget's files over plain HTTP: /widget.js, /widget/frame (with the channel's
allowed origins as frame-ancestors), its assets, /demo, the config and visitor rate limits.

Needs the built widget (``make widget``), like the browser tests.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from livedesk.api.widget_assets import frame_ancestors
from tests.client import Desk
from tests.widget.conftest import WIDGET_JS


@pytest.fixture(autouse=True)
def _built() -> None:
    if not WIDGET_JS.is_file():
        pytest.fail(f"{WIDGET_JS} is missing: build the widget first (make widget)", pytrace=False)


def widget_channel(desk: Desk, chat: dict[str, Any], **config: Any) -> str:
    channel = desk.admin.post(
        f"/api/livechats/{chat['id']}/channels", {"kind": "widget", "config": config}, expect=201
    )
    return str(channel["widget_key"])


def test_loader_is_javascript(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as http:
        r = http.get("/widget.js")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/javascript")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "/widget/frame" in r.text
        assert http.head("/widget.js").status_code == 200


def test_frame_page_and_assets(desk: Desk) -> None:
    chat = desk.livechat("Support")
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        r = http.get("/widget/frame", params={"key": chat["widget_key"]})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        policy = r.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors" not in policy  # no allowed origins: any site may embed it
        assets = re.findall(r'(?:src|href)="(/widget/assets/[^"]+)"', r.text)
        kinds = {a.rsplit(".", 1)[1]: a for a in assets}
        assert set(kinds) == {"js", "css"}, assets
        js = http.get(kinds["js"])
        assert js.status_code == 200
        assert js.headers["content-type"].startswith("text/javascript")
        assert "immutable" in js.headers["cache-control"]
        assert http.get(kinds["css"]).headers["content-type"].startswith("text/css")

        assert http.get("/widget/frame", params={"key": "nope"}).status_code == 404
        assert http.get("/widget/frame").status_code == 404
        assert http.get("/widget/assets/nope.js").status_code == 404
        # Only hashed .js and .css files, never anything else from widget/dist.
        escape = http.get("/widget/assets/..%2Fframe.html")
        assert "/widget/assets/frame-" not in escape.text


def test_allowed_origins_limit_who_may_embed_the_frame(desk: Desk) -> None:
    chat = desk.livechat("Shop")
    # What is not an origin never reaches the header: it is refused up front.
    r = desk.admin.post(
        f"/api/livechats/{chat['id']}/channels",
        {"kind": "widget", "config": {"allowed_origins": ["x; script-src *"]}},
        expect=422,
    )
    assert r["error"]["message"].startswith("config.allowed_origins.0:")
    key = widget_channel(
        desk, chat, allowed_origins=["https://shop.example", "https://*.shop.example:8443/"]
    )
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        policy = http.get("/widget/frame", params={"key": key}).headers["content-security-policy"]
    directives = [d.strip() for d in policy.split(";")]
    assert "frame-ancestors 'self' https://shop.example https://*.shop.example:8443" in directives
    assert "script-src *" not in policy


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [
        (None, None),
        ([], None),
        (["*"], None),
        ("https://a.example", None),
        (["https://a.example/"], "frame-ancestors 'self' https://a.example"),
        (["javascript:alert(1)", 5], "frame-ancestors 'self'"),
        (
            ["http://a.example:8080", "http://a.example:8080"],
            "frame-ancestors 'self' http://a.example:8080",
        ),
    ],
)
def test_frame_ancestors(allowed: Any, expected: str | None) -> None:
    assert frame_ancestors(allowed) == expected


def test_config_tells_whether_to_ask_for_name_and_email(desk: Desk) -> None:
    chat = desk.livechat("Support")
    asking = widget_channel(desk, chat, prechat_form=True)
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        plain = http.get(f"/api/widget/{chat['widget_key']}/config").json()
        form = http.get(f"/api/widget/{asking}/config").json()
    assert plain["prechat_form"] is False
    assert form["prechat_form"] is True


def test_demo_page_embeds_the_demo_widget(desk: Desk) -> None:
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        none = http.get("/demo")
        assert none.status_code == 404
        assert none.headers["content-type"].startswith("text/html")

        first = desk.livechat("Support")
        page = http.get("/demo")
        assert page.status_code == 200
        assert f'<script src="/widget.js" data-widget-key="{first["widget_key"]}"' in page.text

        demo_chat = desk.livechat("Demo <shop>")
        demo_key = widget_channel(desk, demo_chat, demo=True)
        page = http.get("/demo")
        assert f'data-widget-key="{demo_key}"' in page.text
        assert "Demo &lt;shop&gt;" in page.text


def test_visitor_requests_are_rate_limited(desk: Desk) -> None:
    chat = desk.livechat("Support")
    visitor = desk.visitor(chat)
    path = f"/api/widget/{chat['widget_key']}/messages"
    headers = {"Authorization": f"Visitor {visitor.token}"}
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        codes = [
            http.post(path, json={"text": f"spam {i}"}, headers=headers).status_code
            for i in range(61)
        ]
        assert codes[:60] == [201] * 60
        r = http.post(path, json={"text": "one more"}, headers=headers)
    assert codes[60] == 429
    assert r.json()["error"]["code"] == "rate_limited"
