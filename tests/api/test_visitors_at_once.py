"""Many visitors writing at the same moment: their messages are checked and written together
(a group commit), and each visitor gets exactly what writing alone would have given them:
their own message stored, their own error when refused, one session per visitor."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.sql.base import Executable

from livedesk.actions.widget import VisitorPost, post_visitor_messages
from livedesk.config import Settings
from livedesk.lib.passwords import token_hash
from livedesk.models import Channel, Contact, Message
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


def written_aside(settings: Settings, statement: Executable) -> None:
    """A change made straight in the database, as no API offers it."""

    async def write() -> None:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.tx() as db:
                await db.execute(statement)
        finally:
            await rt.stop()

    asyncio.run(write())


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


def test_sessions_opened_together_are_announced_as_they_read(
    desk: Desk, settings: Settings
) -> None:
    """A burst of new visitors (one batch): each ``session.created`` shows the session as
    ``GET /api/sessions/{id}`` does, contact and all, with its first message as its last."""
    op = desk.user("Op")
    chat = desk.livechat(operators=[op])
    visitors = [desk.visitor(chat, f"Newcomer {n}") for n in range(4)]
    avatar = "https://example.com/avatars/newcomer-0.png"

    written_aside(
        settings,
        update(Contact).where(Contact.id == visitors[0].contact_id).values(avatar_url=avatar),
    )
    with EventSocket.user(op, since=0) as ws:
        posts: list[Post] = [(v.token, {"text": f"first of {v.contact_id}"}) for v in visitors]
        posts.append((visitors[1].token, {"text": "second"}))
        responses = post_at_once(desk.base, chat["widget_key"], posts)
        assert [r.status_code for r in responses] == [201] * 5
        announced: dict[int, dict[str, Any]] = {}
        while len(announced) < len(visitors):
            frame = ws.recv(WAIT_SECS)
            assert frame is not None, f"announced only {sorted(announced)}"
            if frame["type"] == "session.created":
                announced[frame["data"]["session"]["id"]] = frame["data"]["session"]
        assert not [f for f in ws.drain() if f["type"] == "session.created"]

    by_contact = {s["contact"]["id"]: s for s in announced.values()}
    assert set(by_contact) == {v.contact_id for v in visitors}
    assert by_contact[visitors[0].contact_id]["contact"]["avatar_url"] == avatar
    for n, v in enumerate(visitors):
        payload = by_contact[v.contact_id]
        first = v.history()[0]
        assert payload["last_message"]["id"] == first["id"]
        assert payload["last_message"]["text"] == f"first of {v.contact_id}"
        read = op.get(f"/api/sessions/{payload['id']}")
        read.pop("unread_count", None)
        read.pop("last_message")
        assert {k: w for k, w in payload.items() if k != "last_message"} == read
        assert payload["contact"]["name"] == payload["name"] == f"Newcomer {n}"


def test_a_switched_off_widget_takes_no_message(desk: Desk, settings: Settings) -> None:
    """A visitor whose widget was switched off gets a 404, and nothing of the post is
    stored; the same visitor was answered 201 while the widget was on."""
    chat = desk.livechat(operators=[desk.user()])
    visitor = desk.visitor(chat)
    visitor.say("while it is on")

    written_aside(
        settings,
        update(Channel).where(Channel.widget_key == visitor.widget_key).values(is_active=False),
    )
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


def test_two_writers_at_once_open_one_session_for_a_visitor(desk: Desk, settings: Settings) -> None:
    """Two transactions (as two nodes' writers) each take a first message of the same
    visitor: the second waits for the first's lock on the contact, then finds the session
    the first opened, so the visitor has one session with both messages."""
    visitor = desk.visitor(desk.livechat(operators=[desk.user()]))

    def post(text: str) -> VisitorPost:
        return VisitorPost(visitor.widget_key, token_hash(visitor.token), text, [])

    async def race() -> None:
        first, second = Runtime.from_settings(settings), Runtime.from_settings(settings)
        wrote = asyncio.Event()

        async def slow() -> None:
            async with first.tx() as db:
                await post_visitor_messages(db, [post("from the first")])
                wrote.set()
                await asyncio.sleep(0.5)  # its session written, not yet committed

        async def eager() -> None:
            await wrote.wait()
            async with second.tx() as db:
                await post_visitor_messages(db, [post("from the second")])

        try:
            await asyncio.gather(slow(), eager())
        finally:
            await first.stop()
            await second.stop()

    asyncio.run(race())
    history = visitor.history()
    assert [m["text"] for m in history] == ["from the first", "from the second"]
    assert len({m["session_id"] for m in history}) == 1
