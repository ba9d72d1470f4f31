"""The durable event log: staged inside an action's transaction, appended and published
around its commit.

Ordering: event ids come from the database, and a reader must never see id N+1 before
id N has committed (or it would resume past N and lose it). So the rows are inserted at
the very end of the transaction under a global ordering lock, held until the events are
published. Commits, ids and bus order are then one and the same order on every node.
On PostgreSQL the lock is a session-level advisory lock on the transaction's own
connection; on SQLite (one node, one writer) an in-process lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, cast

import orjson
from sqlalchemy import String, Table, bindparam, delete, func, select, text

from livedesk.db.dialect import POSTGRESQL, dialect_name, insert_many, insert_returning_ids
from livedesk.db.session import DbSession
from livedesk.models import Event, EventRecipient
from livedesk.models.base import UtcDateTime, utcnow
from livedesk.realtime.bus import EventBus
from livedesk.realtime.envelope import Envelope

ORDER_LOCK_KEY = 0x6C6976656465736B  # "livedesk"
_UNLOCK = "SELECT pg_advisory_unlock($1)"
_STAGED = "livedesk.staged_events"
_WRITTEN = "livedesk.written_events"
_LOCKED = "livedesk.order_locked"
EVENTS = cast(Table, Event.__table__)
EVENT_RECIPIENTS = cast(Table, EventRecipient.__table__)


def bus_of(db: DbSession) -> EventBus:
    bus: EventBus = db.info["bus"]
    return bus


def _local_lock(db: DbSession) -> asyncio.Lock:
    lock: asyncio.Lock = db.info["order_lock"]
    return lock


def stage_event(db: DbSession, type_: str, data: dict[str, Any], recipients: Iterable[str]) -> None:
    """Queue an event to be logged at commit and published after it. No recipients: no event."""
    to = tuple(dict.fromkeys(recipients))
    if not to:
        return
    staged: list[tuple[str, dict[str, Any], tuple[str, ...]]] = db.info.setdefault(_STAGED, [])
    if not staged:
        db.before_commit(_append)
        db.after_commit(_publish)
        db.on_end(_release)
    staged.append((type_, data, to))


def staged_count(db: DbSession) -> int:
    """How many events this transaction has staged so far (a position for stage_event_at)."""
    return len(db.info.get(_STAGED, ()))


def stage_event_at(
    db: DbSession, position: int, type_: str, data: dict[str, Any], recipients: Iterable[str]
) -> None:
    """stage_event, placed before the events staged at ``position`` and after (a change's
    event computed once its whole transaction is known, logged where the change was)."""
    staged: list[tuple[str, dict[str, Any], tuple[str, ...]]] = db.info.get(_STAGED, [])
    to = tuple(dict.fromkeys(recipients))
    if position >= len(staged) or not to:
        stage_event(db, type_, data, to)
    else:
        staged.insert(position, (type_, data, to))


async def publish_ephemeral(
    bus: EventBus, type_: str, data: dict[str, Any], to: Iterable[str]
) -> None:
    """Typing and presence: straight to the bus, never logged or replayed."""
    recipients = tuple(dict.fromkeys(to))
    if recipients:
        await bus.publish([Envelope(None, type_, data, recipients)])


async def _acquire_local(db: DbSession) -> None:
    await _local_lock(db).acquire()
    db.info[_LOCKED] = True


async def _release(db: DbSession) -> None:
    if not db.info.pop(_LOCKED, False):
        return
    if dialect_name(db) != POSTGRESQL:
        _local_lock(db).release()
        return
    # Straight on the driver's connection: through the session, a statement after the
    # commit first begins a transaction (a round trip more, while every node's writers
    # wait for the lock) and rolls it back at the end (another).
    conn = await db.connection()
    try:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None, "the connection is closed"
        await driver.fetchval(_UNLOCK, ORDER_LOCK_KEY)
    except BaseException:
        # A connection that may still hold the lock must never go back to the pool:
        # closing it is what releases a session-level lock for sure.
        await conn.invalidate()
        raise


async def _append(db: DbSession) -> None:
    staged: list[tuple[str, dict[str, Any], tuple[str, ...]]] = db.info.pop(_STAGED, [])
    if not staged:
        return
    # The transaction's other pending writes go out before the ordering lock is taken:
    # every statement inside it holds up every writer of the deployment.
    await db.flush()
    if dialect_name(db) == POSTGRESQL:
        await _append_postgres(db, staged)
        return
    await _acquire_local(db)
    now = utcnow()
    # One INSERT for all of the transaction's events (a new session stages a dozen);
    # ids come back in the order the rows were given. Core inserts on the tables, not the
    # ORM's bulk insert: the rows are plain values, and the ORM's bookkeeping for each of
    # them cost more than the statement itself (a batch of messages writes hundreds).
    ids = await insert_returning_ids(
        db, EVENTS, [{"type": type_, "data": data, "created_at": now} for type_, data, _ in staged]
    )
    written = sorted(
        (
            Envelope(event_id, type_, data, to)
            for event_id, (type_, data, to) in zip(ids, staged, strict=True)
        ),
        key=lambda e: e.id or 0,
    )
    rows = [{"recipient": r, "event_id": e.id} for e in written for r in e.recipients]
    await insert_many(db, EVENT_RECIPIENTS, rows)
    db.info[_WRITTEN] = written


# PostgreSQL: the lock, the ids and both inserts in one statement, one round trip instead
# of three while the lock is held (every node's writers wait on it). Under the lock the
# sequence is moved on by the batch's size at once: the batch's ids are consecutive.
# ``locked`` and ``reserved`` are materialized, and each reads the one before: nextval runs
# only once the lock is held.
_APPEND_POSTGRES = text(
    """
    WITH locked AS MATERIALIZED (SELECT pg_advisory_lock(:lock_key) AS held),
    reserved AS MATERIALIZED (
        SELECT setval(s.seq, nextval(s.seq) + :n - 1) - :n + 1 AS id
        FROM locked, (SELECT CAST(pg_get_serial_sequence('events', 'id') AS regclass) AS seq) AS s
    ),
    staged AS (
        SELECT reserved.id + x.ord - 1 AS id, x.e
        FROM reserved, json_array_elements(CAST(:batch AS json)) WITH ORDINALITY AS x(e, ord)
    ),
    logged AS (
        INSERT INTO events (id, type, data, created_at)
        SELECT id, e ->> 'type', e -> 'data', :now FROM staged
    ),
    addressed AS (
        INSERT INTO event_recipients (recipient, event_id)
        SELECT r, staged.id FROM staged, json_array_elements_text(staged.e -> 'to') AS r
    )
    SELECT id FROM reserved
    """
).bindparams(bindparam("now", type_=UtcDateTime()), bindparam("batch", type_=String()))


async def _append_postgres(
    db: DbSession, staged: list[tuple[str, dict[str, Any], tuple[str, ...]]]
) -> None:
    batch = orjson.dumps(
        [{"type": type_, "data": data, "to": to} for type_, data, to in staged],
        option=orjson.OPT_NON_STR_KEYS,
    ).decode()
    # Marked before the statement runs: if it fails after taking the lock, the release
    # still unlocks (or drops the connection), and unlocking a lock not held is harmless.
    db.info[_LOCKED] = True
    params = {"lock_key": ORDER_LOCK_KEY, "n": len(staged), "batch": batch, "now": utcnow()}
    first = int((await db.execute(_APPEND_POSTGRES, params)).scalar_one())
    db.info[_WRITTEN] = [
        Envelope(first + k, type_, data, to) for k, (type_, data, to) in enumerate(staged)
    ]


async def _publish(db: DbSession) -> None:
    written: list[Envelope] = db.info.pop(_WRITTEN, [])
    if written:
        await bus_of(db).publish(written)


async def read_since(db: DbSession, recipient: str, since: int, limit: int) -> list[Envelope]:
    """Events for one recipient after ``since``, oldest first."""
    rows = await db.execute(
        select(Event.id, Event.type, Event.data)
        .join(EventRecipient, EventRecipient.event_id == Event.id)
        .where(EventRecipient.recipient == recipient, EventRecipient.event_id > since)
        .order_by(EventRecipient.event_id)
        .limit(limit)
    )
    return [Envelope(r.id, r.type, r.data, (recipient,)) for r in rows]


async def last_event_id(db: DbSession) -> int:
    return int((await db.execute(select(func.coalesce(func.max(Event.id), 0)))).scalar_one())


async def oldest_event_id(db: DbSession) -> int | None:
    value = (await db.execute(select(func.min(Event.id)))).scalar_one()
    return int(value) if value is not None else None


async def prune_before(db: DbSession, cutoff_id: int) -> int:
    """Drop events with id < cutoff_id (retention); returns how many.

    The newest event always stays: SQLite hands a deleted maximum rowid out again, and ids
    that restart would make a client resume from a cursor of the old sequence.
    """
    cutoff_id = min(cutoff_id, await last_event_id(db))
    await db.execute(delete(EventRecipient).where(EventRecipient.event_id < cutoff_id))
    result = await db.execute(delete(Event).where(Event.id < cutoff_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
