"""Many visitors writing at the same moment: their messages are checked and written together
(a group commit), and each visitor gets exactly what writing alone would have given them:
their own message stored, their own error when refused, one session per visitor."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import select, update

from livedesk.config import Settings
from livedesk.models import Channel, Message
from livedesk.realtime.runtime import Runtime
from tests.api.test_files import PNG, visitor_upload
from tests.client import Desk
from tests.realtime import WAIT_SECS, EventSocket

Post = tuple[str, dict[str, Any]]  # (visitor token, body)


def post_at_once(base: str, widget_key: str, posts: list[Post]) -> list[httpx.Response]:
    async def main() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            return list(
                await asyncio.gather(
                    *(
                        http.post(
                            f"/api/widget/{widget_key}/messages",
                            json=body,
                            headers={"Authorization": f"Visitor {token}"},
                        )
                        for token, body in posts
                    )
                )
            )

    return asyncio.run(main())


def created_ids(frames: list[dict[str, Any]]) -> list[int]:
    return [f["data"]["message"]["id"] for f in frames if f["type"] == "message.created"]


def test_visitors_writing_at_once_each_get_their_own_answer(desk: Desk) -> None:
    op = desk.user("Op")
    chat = desk.livechat(operators=[op])
    visitors = [desk.visitor(chat, f"Visitor {n}") for n in range(8)]
    eager = desk.visitor(chat, "Eager")
    owner, thief = visitors[0], visitors[1]
    upload = visitor_upload(owner, "shot.png", PNG, "image/png")
    with EventSocket.user(op, since=0) as ws:
        posts: list[Post] = [(v.token, {"text": f"hello from {v.contact_id}"}) for v in visitors]
        # Five first messages of one visitor at once open one session.
        posts += [(eager.token, {"text": f"eager {n}"}) for n in range(5)]
        posts.append(("not-a-token", {"text": "intruder"}))
        posts.append((thief.token, {"text": "not mine", "attachments": [upload["id"]]}))
        # One upload attached twice at once: one message gets it, the other is refused.
        posts += [
            (owner.token, {"text": f"file {n}", "attachments": [upload["id"]]}) for n in (1, 2)
        ]
        responses = post_at_once(desk.base, chat["widget_key"], posts)

        codes = [r.status_code for r in responses]
        assert codes[:13] == [201] * 13
        assert responses[13].status_code == 401
        assert responses[13].json()["error"]["code"] == "invalid_visitor_token"
        assert responses[14].status_code == 400
        assert responses[14].json()["error"]["code"] == "invalid_attachment"
        assert sorted(codes[15:]) == [201, 400]
        accepted = [r.json() for r in responses if r.status_code == 201]

        # Every accepted message reaches the operator once; no refused one does.
        frames: list[dict[str, Any]] = []
        while not {m["id"] for m in accepted} <= set(created_ids(frames)):
            frame = ws.recv(WAIT_SECS)
            assert frame is not None, f"missing: {accepted} {frames}"
            frames.append(frame)
        frames += ws.drain()
    created = created_ids(frames)
    assert Counter(created) == Counter(m["id"] for m in accepted)
    assert {
        f["data"]["message"]["text"] for f in frames if f["type"] == "message.created"
    }.isdisjoint({"intruder", "not mine"})

    eager_history = eager.history()
    # Sent at once, they arrive in any order; the history keeps the order they were stored in.
    assert sorted(m["text"] for m in eager_history) == [f"eager {n}" for n in range(5)]
    assert len({m["session_id"] for m in eager_history}) == 1
    assert [m["id"] for m in eager_history] == sorted(m["id"] for m in eager_history)
    for v in visitors[1:]:
        assert [m["text"] for m in v.history()] == [f"hello from {v.contact_id}"]
    owner_history = owner.history()
    with_file = [m for m in owner_history if m["attachments"]]
    assert len(with_file) == 1 and with_file[0]["attachments"][0]["id"] == upload["id"]
    assert len({m["session_id"] for m in owner_history}) == 1

    sessions = op.get("/api/sessions", params={"group": "unassigned", "limit": 100})["items"]
    names = Counter(s["name"] for s in sessions)
    assert names == Counter([*(f"Visitor {n}" for n in range(8)), "Eager"])


def test_a_switched_off_widget_takes_no_message(desk: Desk, settings: Settings) -> None:
    """A visitor whose widget was switched off gets a 404, and nothing of the post is
    stored; the same visitor was answered 201 while the widget was on."""
    chat = desk.livechat(operators=[desk.user()])
    visitor = desk.visitor(chat)
    visitor.say("while it is on")

    async def switch_off() -> None:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.tx() as db:
                await db.execute(
                    update(Channel)
                    .where(Channel.widget_key == visitor.widget_key)
                    .values(is_active=False)
                )
        finally:
            await rt.stop()

    asyncio.run(switch_off())
    with httpx.Client(base_url=visitor.base, timeout=30) as http:
        r = http.post(
            f"/api/widget/{visitor.widget_key}/messages",
            json={"text": "after it is off"},
            headers={"Authorization": f"Visitor {visitor.token}"},
        )
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "not_found"

    async def texts() -> list[str]:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.read() as db:
                rows = await db.execute(
                    select(Message.text).where(Message.contact_id == visitor.contact_id)
                )
                return list(rows.scalars())
        finally:
            await rt.stop()

    assert asyncio.run(texts()) == ["while it is on"]
