"""The embeddable widget's files, built into ``widget/dist`` (``make widget``):

- ``/widget.js``: the loader host pages embed with ``data-widget-key``;
- ``/widget/frame?key=KEY``: the chat page the loader puts in its iframe, and its assets;
- ``/demo``: a page embedding the demo live chat's widget (``make run`` shows both sides).

A widget channel's ``config.allowed_origins`` (empty: anywhere) becomes the frame's
``Content-Security-Policy: frame-ancestors``, so other sites cannot embed its chat.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import select

from livedesk.actions.widget import widget_channel
from livedesk.api.deps import RuntimeDep
from livedesk.lib.errors import ApiError
from livedesk.models import Channel, ChannelKind, LiveChat

router = APIRouter(include_in_schema=False)

DEMO_FLAG = "demo"  # as in actions.demo: the demo data's widget channels carry it
JS = "text/javascript; charset=utf-8"
LOADER_CACHE = "public, max-age=300"
ASSET_CACHE = "public, max-age=31536000, immutable"  # names carry a content hash
_ASSET_NAME = re.compile(r"^[A-Za-z0-9_-]+\.(js|css)$")
_ASSET_TYPES = {"js": JS, "css": "text/css; charset=utf-8"}
# scheme://host[:port], the host possibly starting with "*." (CSP source syntax).
_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$")
_FRAME_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)
_NOSNIFF = {"X-Content-Type-Options": "nosniff"}


def widget_dist() -> Path | None:
    """``widget/dist`` of the working directory or of the source checkout, once built."""
    candidates = [
        Path.cwd() / "widget" / "dist",
        Path(__file__).resolve().parents[3] / "widget" / "dist",
    ]
    return next((p for p in candidates if (p / "widget.js").is_file()), None)


def frame_ancestors(allowed: Any) -> str | None:
    """The ``frame-ancestors`` directive for a channel's ``allowed_origins``, or None for
    anywhere. Entries that are not origins are dropped (never copied into the header); a
    list with none valid lets only this server's own pages embed the chat."""
    if not isinstance(allowed, list) or not allowed:
        return None
    origins = [str(o).strip().rstrip("/") for o in allowed if isinstance(o, str)]
    if "*" in origins:
        return None
    valid = [o for o in origins if _ORIGIN.fullmatch(o)]
    return " ".join(["frame-ancestors", "'self'", *dict.fromkeys(valid)])


def _page(status: int, title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang=en><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        '<body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;'
        f'padding:0 1rem"><h1>{html.escape(title)}</h1>{body}</body></html>',
        status_code=status,
        headers=_NOSNIFF,
    )


def _not_built() -> Response:
    return Response(
        "/* livedesk: the widget is not built (make widget) */",
        status_code=404,
        media_type=JS,
    )


@router.api_route("/widget.js", methods=["GET", "HEAD"])
async def loader() -> Response:
    dist = widget_dist()
    if dist is None:
        return _not_built()
    return FileResponse(
        dist / "widget.js", media_type=JS, headers={"Cache-Control": LOADER_CACHE, **_NOSNIFF}
    )


@router.get("/widget/frame")
async def frame(rt: RuntimeDep, key: str = "") -> Response:
    dist = widget_dist()
    if dist is None or not (dist / "frame.html").is_file():
        return _page(404, "Widget not built", "<p>Build it with <code>make widget</code>.</p>")
    try:
        async with rt.read() as db:
            channel = await widget_channel(db, key)
    except ApiError:
        return _page(404, "Chat not found", "<p>This chat is not available.</p>")
    policy = _FRAME_POLICY
    ancestors = frame_ancestors(channel.config.get("allowed_origins"))
    if ancestors:
        policy = f"{policy}; {ancestors}"
    return HTMLResponse(
        (dist / "frame.html").read_text(encoding="utf-8"),
        headers={
            "Content-Security-Policy": policy,
            "Cache-Control": "no-cache",
            "Referrer-Policy": "no-referrer",
            **_NOSNIFF,
        },
    )


@router.api_route("/widget/assets/{name}", methods=["GET", "HEAD"])
async def frame_asset(name: str) -> Response:
    dist = widget_dist()
    match = _ASSET_NAME.fullmatch(name)
    path = dist / "assets" / name if dist is not None and match else None
    if path is None or match is None or not path.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(
        path,
        media_type=_ASSET_TYPES[match.group(1)],
        headers={"Cache-Control": ASSET_CACHE, **_NOSNIFF},
    )


async def _demo_channel(rt: RuntimeDep) -> tuple[Channel, str] | None:
    async with rt.read() as db:
        rows = await db.execute(
            select(Channel, LiveChat.name)
            .join(LiveChat, LiveChat.id == Channel.livechat_id)
            .where(Channel.kind == ChannelKind.widget, Channel.is_active.is_(True))
            .order_by(Channel.id)
        )
        found = [(c, name) for c, name in rows.all()]
    # JSON lookups differ between SQLite and PostgreSQL; there are few channels.
    demo = [row for row in found if row[0].config.get(DEMO_FLAG) is True]
    pick = demo or found
    return pick[0] if pick else None


@router.get("/demo")
async def demo(rt: RuntimeDep) -> HTMLResponse:
    found = await _demo_channel(rt)
    if found is None:
        return _page(
            404,
            "No live chat to show",
            "<p>No live chat has a widget channel yet. Load the demo data "
            "(<code>livedesk serve --demo</code>) or add a widget channel to a live chat.</p>",
        )
    channel, chat_name = found
    key, name = html.escape(channel.widget_key or "", quote=True), html.escape(chat_name)
    snippet = html.escape(f'<script src="/widget.js" data-widget-key="{channel.widget_key}" async>')
    body = (
        f"<p>This page stands for a customer's website: it embeds the widget of the "
        f"<strong>{name}</strong> live chat with one line:</p>"
        f'<pre style="white-space:pre-wrap;background:#f3f4f6;padding:.75rem;border-radius:6px">'
        f"{snippet}&lt;/script&gt;"
        "</pre>"
        "<p>Open the chat with the button at the bottom right and write as a customer. "
        'In another window, <a href="/" target="_blank" rel="noopener">sign in to the desk</a> '
        "as an operator of this live chat to answer: replies, typing and the unread badge "
        "appear here live.</p>"
        f'<script src="/widget.js" data-widget-key="{key}" async></script>'
    )
    return _page(200, "livedesk demo shop", body)
