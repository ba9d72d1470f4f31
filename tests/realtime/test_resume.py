"""Resume is a cursor: a socket that comes back with its last event id misses nothing, gets
nothing twice, and is told ``resync_required`` when the cursor is out of the log's range."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from websockets.exceptions import InvalidStatus

from livedesk.config import Settings
from livedesk.db.session import DbSession
from livedesk.models import EventRecipient
from livedesk.realtime.connection import RESYNC_CLOSE_CODE
from livedesk.realtime.envelope import user_recipient
from livedesk.realtime.log import last_event_id, prune_before, stage_event
from livedesk.realtime.runtime import Runtime
from tests.client import Api, Desk, Visitor
from tests.realtime import WAIT_SECS, EventSocket, logged_events

RESYNC = {"id": None, "type": "resync_required", "data": {"reason": "cursor_expired"}}
HOLD_SECS = 30.0


def _prune(settings: Settings, cutoff_id: int) -> int:
    async def run() -> int:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.tx() as db:
                return await prune_before(db, cutoff_id)
        finally:
            await rt.stop()

    return asyncio.run(run())


def _cursor_after_one_message(op: Api, visitor: Visitor) -> int:
    """Connect, see one message arrive, disconnect: the cursor a client would keep."""
    with EventSocket.user(op, since=0) as sock:
        m = visitor.say("before the disconnect")
        sock.until("message.created", message__id=m["id"])
        sock.drain()
        return sock.last_id


def _traffic(desk: Desk, op: Api, chat: dict[str, Any], first: Visitor) -> set[int]:
    """About a hundred events for ``op``: messages, new sessions, take, reply, close."""
    visitors = [first, *(desk.visitor(chat, f"Customer {i}") for i in range(3))]
    posted = {v.say(f"message {n}")["id"] for n in range(22) for v in visitors}
    taken, closed = (visitors[1].say("take me")["session_id"], visitors[2].say("bye")["session_id"])
    op.post(f"/api/sessions/{taken}/take")
    posted.add(op.post(f"/api/sessions/{taken}/messages", {"text": "On it"}, expect=201)["id"])
    op.post(f"/api/sessions/{closed}/take")
    op.post(f"/api/sessions/{closed}/close")
    return posted


def test_since_frame_replays_every_missed_event_once_in_order_then_streams(
    desk: Desk, settings: Settings
) -> None:
    op = desk.user("Olga")
    chat = desk.livechat(operators=[op])
    first = desk.visitor(chat, "First")
    cursor = _cursor_after_one_message(op, first)
    posted = _traffic(desk, op, chat, first)
    missed = logged_events(settings, user_recipient(op.id), cursor)
    assert len(missed) >= 100
    with EventSocket.user(op, since=cursor) as sock:
        replay = sock.take(len(missed))
        assert sock.drain() == [], "an event was sent twice or one was invented"
        ids = [f["id"] for f in replay]
        assert ids == [e.id for e in missed]
        assert ids == sorted(set(ids)) and ids[0] > cursor
        assert [(f["type"], f["data"]) for f in replay] == [(e.type, e.data) for e in missed]
        replayed = {f["data"]["message"]["id"] for f in replay if f["type"] == "message.created"}
        assert posted <= replayed
        live = first.say("after the replay")
        assert sock.until("message.created", message__id=live["id"])["id"] > ids[-1]


def test_since_query_with_api_token_resumes_too(desk: Desk, settings: Settings) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat)
    cursor = _cursor_after_one_message(op, visitor)
    token = op.post("/api/tokens", {"name": "socket"}, expect=201)["token"]
    posted = [visitor.say(f"while away {n}")["id"] for n in range(5)]
    missed = logged_events(settings, user_recipient(op.id), cursor)
    with EventSocket.open(desk.base, f"/api/events?token={token}&since={cursor}") as sock:
        replay = sock.take(len(missed))
        assert sock.drain() == []
    assert [f["id"] for f in replay] == [e.id for e in missed]
    assert [f["data"]["message"]["id"] for f in replay] == posted


def test_bad_token_or_no_credentials_are_refused(desk: Desk) -> None:
    for path in ("/api/events?token=not-a-token", "/api/events"):
        with pytest.raises(InvalidStatus):
            EventSocket.open(desk.base, path).close()


def test_socket_without_cursor_streams_from_the_moment_it_opened(desk: Desk) -> None:
    """No cursor means "from now": an event right after the socket opens is not skipped."""
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat)
    with EventSocket.user(op) as sock:
        m = visitor.say("right away")
        sock.until("message.created", message__id=m["id"], timeout=5)


def test_cursor_older_than_retention_gets_resync_required(desk: Desk, settings: Settings) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat)
    old = _cursor_after_one_message(op, visitor)
    for n in range(3):
        visitor.say(f"later {n}")
    newest = int(logged_events(settings, user_recipient(op.id), old)[-1].id or 0)
    assert _prune(settings, newest) > 0
    with EventSocket.user(op, since=old) as sock:
        assert sock.recv(WAIT_SECS) == RESYNC
        assert sock.closed_code() == RESYNC_CLOSE_CODE
    with EventSocket.user(op, since=newest - 1) as sock:
        assert [f["id"] for f in sock.drain()] == [newest], "the oldest kept event still resumes"


def test_pruning_drops_the_recipients_of_the_pruned_events(desk: Desk, settings: Settings) -> None:
    """Nothing in the schema ties a recipient row to its event (migration 0007): retention
    deletes both, or the recipients of every pruned event would stay on disk for good."""
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat)
    for n in range(3):
        visitor.say(f"to be pruned {n}")
    newest = int(logged_events(settings, user_recipient(op.id), 0)[-1].id or 0)

    async def recipients_before(cutoff_id: int) -> int:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.read() as db:
                count = select(func.count()).where(EventRecipient.event_id < cutoff_id)
                return int((await db.execute(count)).scalar_one())
        finally:
            await rt.stop()

    assert asyncio.run(recipients_before(newest)) > 0
    assert _prune(settings, newest) > 0
    assert asyncio.run(recipients_before(newest)) == 0


def test_cursor_beyond_the_newest_event_gets_resync_required(
    desk: Desk, settings: Settings
) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    cursor = _cursor_after_one_message(op, desk.visitor(chat))
    with EventSocket.user(op, query=f"?since={cursor + 1000}") as sock:
        assert sock.recv(WAIT_SECS) == RESYNC
        assert sock.closed_code() == RESYNC_CLOSE_CODE


def test_pruning_the_whole_log_never_reuses_event_ids(desk: Desk, settings: Settings) -> None:
    """Retention with nothing recent prunes everything: ids must still only grow (SQLite
    reuses the rowids of deleted rows), or a client would resume from a foreign cursor."""
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat)
    cursor = _cursor_after_one_message(op, visitor)
    _prune(settings, cursor + 1)
    m = visitor.say("after retention")
    with EventSocket.user(op, since=cursor) as sock:
        assert sock.until("message.created", message__id=m["id"])["id"] > cursor


# -- applying the replay to stale state ------------------------------------------------------


def _fresh_state(op: Api) -> dict[str, Any]:
    def ids(group: str) -> set[int]:
        return {s["id"] for s in op.get(f"/api/sessions?group={group}&limit=200")["items"]}

    return {
        "unassigned": ids("unassigned"),
        "mine": ids("mine"),
        "counters": op.get("/api/counters"),
    }


def _apply(state: dict[str, Any], op_id: int, frame: dict[str, Any]) -> None:
    data = frame["data"]
    if frame["type"] == "counters":
        state["counters"] = data
    elif "session" in data:
        s = data["session"]
        for group, belongs in (
            ("unassigned", s["status"] == "unassigned"),
            ("mine", s["status"] == "active" and (s.get("assignee") or {}).get("id") == op_id),
        ):
            (state[group].add if belongs else state[group].discard)(s["id"])


def test_replayed_events_bring_stale_state_to_fresh_state(desk: Desk) -> None:
    op, colleague = desk.user("Olga"), desk.user("Petr")
    chat = desk.livechat(operators=[op, colleague])
    visitors = [desk.visitor(chat, f"C{i}") for i in range(6)]
    sessions = [v.say("hello")["session_id"] for v in visitors[:3]]
    with EventSocket.user(op, since=0) as sock:
        sock.drain()
        cursor = sock.last_id
    stale = _fresh_state(op)
    assert set(sessions) <= stale["unassigned"]
    # While the client is away: new sessions, takes by both, a hand-over, closes, messages.
    more = [v.say("hi there")["session_id"] for v in visitors[3:]]
    op.post(f"/api/sessions/{sessions[0]}/take")
    colleague.post(f"/api/sessions/{sessions[1]}/take")
    colleague.post(f"/api/sessions/{more[0]}/take")
    colleague.post(f"/api/sessions/{more[0]}/assign", {"operator_id": op.id})
    op.post(f"/api/sessions/{sessions[2]}/take")
    op.post(f"/api/sessions/{sessions[2]}/close")
    visitors[0].say("are you there?")
    with EventSocket.user(op, since=cursor) as sock:
        for frame in sock.drain():
            _apply(stale, op.id, frame)
    assert stale == _fresh_state(op)


# -- out-of-order commits (PostgreSQL) ---------------------------------------------------------


def _replay_ids(base: str, token: str, since: int) -> list[int]:
    with EventSocket.open(base, f"/api/events?token={token}", since=since) as sock:
        frames = sock.drain()
    assert RESYNC not in frames, f"resuming from {since} was refused"
    return [int(f["id"]) for f in frames]


async def _late_commit_scenario(
    rt: Runtime, base: str, token: str, recipient: str, cursor: int
) -> tuple[list[int], list[int]]:
    """The transaction that got its id first commits last; a reader resumes in between."""
    has_id, release = asyncio.Event(), asyncio.Event()

    async def hold(_db: DbSession) -> None:
        # Runs after the log's own before-commit hook: this event has its id now.
        has_id.set()
        await asyncio.wait_for(release.wait(), HOLD_SECS)

    async def first() -> None:
        async with rt.tx() as db:
            stage_event(db, "test.first", {"n": 1}, [recipient])
            db.before_commit(hold)

    async def second() -> None:
        async with rt.tx() as db:
            stage_event(db, "test.second", {"n": 2}, [recipient])

    tasks = [asyncio.create_task(first())]
    try:
        await asyncio.wait_for(has_id.wait(), WAIT_SECS)
        tasks.append(asyncio.create_task(second()))
        await asyncio.wait({tasks[1]}, timeout=1.0)  # let it commit, if anything lets it
        seen = await asyncio.to_thread(_replay_ids, base, token, cursor)
        release.set()
        await asyncio.wait_for(asyncio.gather(*tasks), WAIT_SECS)
        resumed = await asyncio.to_thread(_replay_ids, base, token, max(seen, default=cursor))
        return seen, resumed
    finally:
        release.set()
        for task in tasks:
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), WAIT_SECS)


@pytest.mark.parametrize("engine_name", ["postgres"])
def test_event_committed_late_is_never_skipped_by_a_resuming_reader(
    desk: Desk, settings: Settings
) -> None:
    """Fails without the ordering lock of log.py: the reader would see the second event,
    resume past the first one's id, and never get it."""
    op = desk.user()
    token = op.post("/api/tokens", {"name": "reader"}, expect=201)["token"]
    recipient = user_recipient(op.id)

    async def run() -> tuple[int, list[int], list[int]]:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.tx() as db:  # an event the reader has seen: its cursor
                stage_event(db, "test.seen", {}, [recipient])
            async with rt.read() as db:
                cursor = await last_event_id(db)
            seen, resumed = await _late_commit_scenario(rt, desk.base, token, recipient, cursor)
            return cursor, seen, resumed
        finally:
            await rt.stop()

    cursor, seen, resumed = asyncio.run(run())
    logged = logged_events(settings, recipient, cursor)
    assert [e.type for e in logged] == ["test.first", "test.second"]
    assert sorted(seen + resumed) == [e.id for e in logged], (
        f"reader saw {seen} while a lower id was uncommitted, then resumed to {resumed}"
    )


@pytest.mark.parametrize("engine_name", ["postgres"])
def test_a_log_write_that_fails_leaves_nothing_and_frees_the_ordering_lock(
    desk: Desk, settings: Settings
) -> None:
    """The lock is taken by the statement that writes the events: when that statement
    fails (a type longer than the column), no event of the transaction is kept and the
    next writer, on another connection, is not left waiting on the lock."""
    recipient = user_recipient(desk.user().id)

    async def run() -> int:
        failing, other = Runtime.from_settings(settings), Runtime.from_settings(settings)
        try:
            async with failing.read() as db:
                cursor = await last_event_id(db)
            with pytest.raises(DBAPIError):
                async with failing.tx() as db:
                    stage_event(db, "test.kept_out", {"n": 1}, [recipient])
                    stage_event(db, "test." + "x" * 40, {"n": 2}, [recipient])

            async def write_after() -> None:
                async with other.tx() as db:
                    stage_event(db, "test.after", {"n": 3}, [recipient])

            await asyncio.wait_for(write_after(), WAIT_SECS)
            return cursor
        finally:
            await failing.stop()
            await other.stop()

    cursor = asyncio.run(run())
    assert [e.type for e in logged_events(settings, recipient, cursor)] == ["test.after"]


def test_each_recipient_is_logged_exactly_its_own_events_of_a_transaction(
    desk: Desk, settings: Settings
) -> None:
    """A batch of messages logs hundreds of (recipient, event) rows in one statement: each
    recipient reads back its own events, in order, and nobody else's."""
    recipients = [user_recipient(1000 + n) for n in range(12)]
    # Event k goes to the recipients whose index divides k: from all of them to one.
    audiences = [[r for n, r in enumerate(recipients) if k % (n + 1) == 0] for k in range(60)]

    async def run() -> int:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.read() as db:
                cursor = await last_event_id(db)
            async with rt.tx() as db:
                for k, audience in enumerate(audiences):
                    stage_event(db, "test.fanout", {"k": k}, audience)
            return cursor
        finally:
            await rt.stop()

    cursor = asyncio.run(run())
    for r in recipients:
        logged = logged_events(settings, r, cursor)
        assert [e.data["k"] for e in logged] == [k for k, a in enumerate(audiences) if r in a]
        assert [e.id for e in logged] == sorted({e.id for e in logged})
