"""Attachments: operators and widget visitors upload files, attach them, and both sides
download them; bad uploads are refused and nothing is half-written."""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update

from livedesk.config import Settings
from livedesk.jobs.retention import prune_unattached_uploads
from livedesk.lib.storage import FileStore
from livedesk.models import StoredFile
from livedesk.realtime.runtime import Runtime
from tests.client import Api, Desk, Visitor

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
TEN_MIB = 10 * 1024 * 1024


def upload(api: Api, session_id: int, name: str, data: bytes, ctype: str, expect: int = 201) -> Any:
    return api.request(
        "POST",
        f"/api/sessions/{session_id}/files",
        expect,
        params={"name": name},
        content=data,
        headers={"Content-Type": ctype},
    )


def visitor_upload(
    visitor: Visitor, name: str, data: bytes, ctype: str, expect: int = 201
) -> dict[str, Any]:
    with httpx.Client(base_url=visitor.base, timeout=30) as http:
        r = http.post(
            f"/api/widget/{visitor.widget_key}/files",
            params={"name": name},
            content=data,
            headers={"Authorization": f"Visitor {visitor.token}", "Content-Type": ctype},
        )
    assert r.status_code == expect, r.text
    return dict(r.json())


def visitor_post(visitor: Visitor, body: dict[str, Any], expect: int = 201) -> dict[str, Any]:
    with httpx.Client(base_url=visitor.base, timeout=30) as http:
        r = http.post(
            f"/api/widget/{visitor.widget_key}/messages",
            json=body,
            headers={"Authorization": f"Visitor {visitor.token}"},
        )
    assert r.status_code == expect, r.text
    return dict(r.json())


def fetch(base: str, url: str) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=30) as http:
        return http.get(url)


def test_operator_sends_an_image_and_the_customer_downloads_it(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat, "Ivan")
    sid = visitor.say("Can you send me the invoice?")["session_id"]
    op.post(f"/api/sessions/{sid}/take")
    att = upload(op, sid, "счёт 12.png", PNG, "image/png")
    assert att["type"] == "image" and att["name"] == "счёт 12.png" and att["size"] == len(PNG)
    sent = op.post(
        f"/api/sessions/{sid}/messages", {"text": "", "attachments": [att["id"]]}, expect=201
    )
    assert [a["url"] for a in sent["attachments"]] == [att["url"]]

    mine = [m for m in visitor.history() if m["author"]["kind"] == "operator"]
    assert mine[-1]["attachments"][0]["name"] == "счёт 12.png"
    r = fetch(visitor.base, mine[-1]["attachments"][0]["url"])
    assert r.status_code == 200 and r.content == PNG
    assert r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith("inline")


def test_visitor_sends_a_file_the_operator_sees_it_and_search_finds_its_name(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat)
    att = visitor_upload(visitor, "contract.pdf", b"%PDF-1.4 fake", "application/pdf")
    m = visitor_post(visitor, {"attachments": [att["id"]]})
    assert m["text"] == "" and m["attachments"][0]["type"] == "file"
    dialog = op.get(f"/api/sessions/{m['session_id']}/messages")["items"]
    assert dialog[0]["attachments"] == m["attachments"]
    r = fetch(visitor.base, att["url"])
    assert r.content == b"%PDF-1.4 fake"
    assert r.headers["content-disposition"].startswith("attachment")
    hits = op.get("/api/search", params={"q": "contract", "session_id": m["session_id"]})
    assert [h["id"] for h in hits["messages"]] == [m["id"]]


def test_an_upload_is_attached_once_and_only_by_its_uploader(desk: Desk) -> None:
    op, colleague = desk.user(), desk.user()
    chat = desk.livechat(operators=[op, colleague], supervisors=[colleague])
    visitor = desk.visitor(chat)
    sid = visitor.say("hello")["session_id"]
    op.post(f"/api/sessions/{sid}/take")
    att = upload(op, sid, "a.txt", b"abc", "text/plain")
    body = {"text": "see attached", "attachments": [att["id"]]}
    stolen = colleague.post(f"/api/sessions/{sid}/messages", body, expect=400)
    assert stolen["error"]["code"] == "invalid_attachment"
    op.post(f"/api/sessions/{sid}/messages", body, expect=201)
    again = op.post(f"/api/sessions/{sid}/messages", body, expect=400)
    assert again["error"]["code"] == "invalid_attachment"
    # The visitor cannot attach an operator's upload either.
    other = upload(op, sid, "b.txt", b"def", "text/plain")
    refused = visitor_post(visitor, {"attachments": [other["id"]]}, expect=400)
    assert refused["error"]["code"] == "invalid_attachment"
    texts = [m["text"] for m in visitor.history()]
    assert texts.count("see attached") == 1


def test_bad_uploads_are_refused_with_a_clear_error(desk: Desk) -> None:
    op, stranger = desk.user(), desk.user()
    chat = desk.livechat(operators=[op])
    desk.livechat(operators=[stranger])
    visitor = desk.visitor(chat)
    sid = visitor.say("hello")["session_id"]
    empty = upload(op, sid, "empty.txt", b"", "text/plain", expect=400)
    assert empty["error"]["code"] == "empty_file"
    big = upload(op, sid, "big.bin", b"x" * (TEN_MIB + 1), "application/octet-stream", 413)
    assert big["error"]["code"] == "file_too_large"
    assert upload(stranger, sid, "a.txt", b"abc", "text/plain", expect=404)["error"]
    no_name = op.request("POST", f"/api/sessions/{sid}/files", 422, content=b"abc")
    assert no_name["error"]["code"] == "validation_error"
    nothing = op.post(f"/api/sessions/{sid}/messages", {"text": "  "}, expect=422)
    assert "text or attachments" in nothing["error"]["message"]
    too_many = op.post(
        f"/api/sessions/{sid}/messages", {"text": "x", "attachments": list(range(1, 12))}, 422
    )
    assert too_many["error"]["code"] == "validation_error"
    assert fetch(op.base, "/api/files/not-a-key/a.txt").status_code == 404
    # Names are cleaned: no path, no control characters; the type is kept only when valid.
    att = upload(op, sid, "../../etc/pass\x00wd", b"abc", "not a type")
    assert att["name"] == "passwd" and att["content_type"] == "application/octet-stream"


def test_abandoned_uploads_are_pruned_and_attached_ones_kept(
    desk: Desk, settings: Settings
) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    sid = desk.visitor(chat).say("hello")["session_id"]
    op.post(f"/api/sessions/{sid}/take")
    kept = upload(op, sid, "kept.txt", b"attached bytes", "text/plain")
    op.post(f"/api/sessions/{sid}/messages", {"text": "", "attachments": [kept["id"]]}, 201)
    dropped = upload(op, sid, "dropped.txt", b"abandoned bytes", "text/plain")
    blob = FileStore(settings.resolved_files_dir()).path(
        hashlib.sha256(b"abandoned bytes").hexdigest()
    )
    assert blob.is_file()
    long_ago = datetime.now(UTC) - timedelta(days=2)
    os.utime(blob, (long_ago.timestamp(), long_ago.timestamp()))

    async def prune() -> int:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.tx() as db:
                await db.execute(update(StoredFile).values(created_at=long_ago))
            return await prune_unattached_uploads(rt)
        finally:
            await rt.engine.dispose()

    assert asyncio.run(prune()) == 1
    assert fetch(op.base, dropped["url"]).status_code == 404
    assert not blob.exists()
    assert fetch(op.base, kept["url"]).content == b"attached bytes"
