"""Search over chat names and message history, on SQLite (FTS5 trigram) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from alembic import command
from sqlalchemy import ColumnElement, Select, delete, event, insert, select, text, true, update
from sqlalchemy.ext.asyncio import AsyncEngine

from livedesk.db.dialect import contains_folded
from livedesk.db.engine import create_engine
from livedesk.db.migrate import alembic_config
from livedesk.db.session import DbSession, reading, transaction
from livedesk.lib import search
from livedesk.lib.search import _MESSAGE_TEXT, search_message_ids, search_session_ids
from livedesk.lib.textsearch import fold
from livedesk.models import (
    AuthorKind,
    Channel,
    ChannelKind,
    ChatSession,
    Contact,
    LiveChat,
    Message,
    SessionStatus,
)
from livedesk.models.base import utcnow
from tests.databases import ENGINES, fresh_database

Scenario = Callable[[AsyncEngine], Awaitable[None]]


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


def run(url: str, scenario: Scenario) -> None:
    async def main() -> None:
        engine = create_engine(url)
        try:
            await scenario(engine)
        finally:
            await engine.dispose()

    asyncio.run(main())


@dataclass(frozen=True)
class Desk:
    """One contact in one live chat, reached through one channel."""

    livechat_id: int
    contact_id: int
    channel_id: int


async def add_desk(engine: AsyncEngine, livechat_id: int | None = None) -> Desk:
    async with transaction(engine) as db:
        if livechat_id is None:
            livechat = LiveChat(name="Shop")
            db.add(livechat)
            await db.flush()
            livechat_id = livechat.id
        contact = Contact(livechat_id=livechat_id, name="Ann")
        channel = Channel(livechat_id=livechat_id, kind=ChannelKind.widget)
        db.add_all([contact, channel])
        await db.flush()
        return Desk(livechat_id, contact.id, channel.id)


async def add_session(
    engine: AsyncEngine,
    desk: Desk,
    name: str = "Chat",
    *,
    minutes_ago: int = 0,
    status: SessionStatus = SessionStatus.unassigned,
) -> int:
    async with transaction(engine) as db:
        session = ChatSession(
            livechat_id=desk.livechat_id,
            contact_id=desk.contact_id,
            channel_id=desk.channel_id,
            channel_kind=ChannelKind.widget,
            name=name,
            search_name=fold(name),
            status=status,
            last_activity_at=utcnow() - timedelta(minutes=minutes_ago),
        )
        db.add(session)
        await db.flush()
        return session.id


async def add_messages(
    engine: AsyncEngine,
    desk: Desk,
    session_id: int,
    *texts: str,
    kind: AuthorKind = AuthorKind.customer,
) -> list[int]:
    # A Core insert of only these columns (and the defaults), so that it also works on a
    # database at an older revision (the migration test seeds one at 0001).
    values = [
        {
            "session_id": session_id,
            "livechat_id": desk.livechat_id,
            "contact_id": desk.contact_id,
            "author_kind": kind,
            "text": t,
            "search_text": fold(t),
        }
        for t in texts
    ]
    async with transaction(engine) as db:
        ids = []
        for row in values:
            ids.append(
                (await db.execute(insert(Message).values(row).returning(Message.id))).scalar_one()
            )
        return ids


async def find_messages(engine: AsyncEngine, desk: Desk, q: str, limit: int = 50) -> list[int]:
    """The search's answer; on SQLite, also checked against the trigram index's answer
    (a small history is read instead: both ways must find the same)."""
    async with reading(engine) as db:
        found = await search_message_ids(db, q, desk.livechat_id, [desk.contact_id], limit)
        with mock.patch.object(search, "SCAN_AT_MOST", -1):
            indexed = await search_message_ids(db, q, desk.livechat_id, [desk.contact_id], limit)
    assert indexed == found, (q, indexed, found)
    return found


async def find_sessions(
    engine: AsyncEngine, q: str, visible: ColumnElement[bool] | None = None
) -> list[int]:
    async with reading(engine) as db:
        return await search_session_ids(db, q, true() if visible is None else visible)


async def one_conversation(engine: AsyncEngine, *texts: str) -> tuple[Desk, list[int]]:
    desk = await add_desk(engine)
    session_id = await add_session(engine, desk)
    return desk, await add_messages(engine, desk, session_id, *texts)


def test_message_search_is_case_insensitive_for_latin_and_cyrillic(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk, (privet, hello, hedgehog, _other) = await one_conversation(
            engine, "привет, мир", "Hello WORLD", "Ёжик в тумане", "unrelated"
        )
        assert await find_messages(engine, desk, "ПРИВЕТ") == [privet]
        assert await find_messages(engine, desk, "ИВЕТ, МИ") == [privet]
        assert await find_messages(engine, desk, "hello world") == [hello]
        assert await find_messages(engine, desk, "  World  ") == [hello]
        assert await find_messages(engine, desk, "Ёж") == [hedgehog]
        assert await find_messages(engine, desk, "ёж") == [hedgehog]
        assert await find_messages(engine, desk, "ЁЖИК в Тумане") == [hedgehog]
        assert await find_messages(engine, desk, "туманы") == []

    run(db_url, scenario)


def test_short_queries_match_substrings(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk, (privet, hello) = await one_conversation(engine, "привет, мир", "Hello")
        assert await find_messages(engine, desk, "МИ") == [privet]
        assert await find_messages(engine, desk, "lL") == [hello]
        assert await find_messages(engine, desk, "h") == [hello]
        assert await find_messages(engine, desk, "q") == []

    run(db_url, scenario)


def test_empty_query_finds_nothing(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk, _ = await one_conversation(engine, "hello", "   ")
        assert await find_messages(engine, desk, "") == []
        assert await find_messages(engine, desk, "   ") == []
        assert await find_sessions(engine, "") == []
        assert await find_sessions(engine, " \t") == []

    run(db_url, scenario)


def test_quotes_wildcards_and_fts_syntax_are_literal(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk, (quoted, percent, snake, snake_x, star, apostrophe, words) = await one_conversation(
            engine,
            'say "hi" now',
            "100% sure",
            "snake_case",
            "snakeXcase",
            "a*b",
            "it's",
            "cats AND dogs",
        )
        cases = {
            '"hi"': [quoted],  # FTS5 path: quotes inside the string
            '"': [quoted],  # LIKE path
            '" now': [quoted],
            "%": [percent],
            "0%": [percent],
            "100%": [percent],
            "%%": [],
            "_": [snake],
            "e_": [snake],
            "e_c": [snake],
            "*": [star],
            "a*": [star],
            "a*b": [star],
            "ab*": [],
            "'": [apostrophe],
            "it's": [apostrophe],
            "/": [],  # the LIKE escape character itself
            "cats OR x": [],
            "cats and": [words],
            "NEAR(cats dogs)": [],
            "dogs:": [],
            "^cat": [],
            "-": [],
        }
        for q, expected in cases.items():
            assert await find_messages(engine, desk, q) == expected, q
        assert snake_x not in await find_messages(engine, desk, "e_")

    run(db_url, scenario)


def test_only_that_contacts_messages_in_that_live_chat(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk = await add_desk(engine)
        first = await add_session(engine, desk)
        second = await add_session(engine, desk)
        neighbour = await add_desk(engine, desk.livechat_id)
        elsewhere = await add_desk(engine)
        older = await add_messages(engine, desk, first, "order 42 shipped")
        newer = await add_messages(engine, desk, second, "where is order 42?")
        await add_messages(engine, neighbour, await add_session(engine, neighbour), "order 42")
        await add_messages(engine, elsewhere, await add_session(engine, elsewhere), "order 42")
        assert await find_messages(engine, desk, "ORDER 42") == newer + older
        assert await find_messages(engine, desk, "42") == newer + older
        # The contact id of another live chat never leaks across live chats.
        crossed = Desk(elsewhere.livechat_id, desk.contact_id, desk.channel_id)
        assert await find_messages(engine, crossed, "order") == []

    run(db_url, scenario)


def test_system_messages_are_not_searched(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk = await add_desk(engine)
        session_id = await add_session(engine, desk)
        await add_messages(engine, desk, session_id, "Ann closed the chat", kind=AuthorKind.system)
        operator = await add_messages(
            engine, desk, session_id, "closed? reopen", kind=AuthorKind.operator
        )
        assert await find_messages(engine, desk, "closed") == operator
        assert await find_messages(engine, desk, "cl") == operator

    run(db_url, scenario)


def test_messages_newest_first_and_limited(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk, ids = await one_conversation(engine, *(f"ping {n}" for n in range(6)))
        assert await find_messages(engine, desk, "ping") == ids[::-1]
        assert await find_messages(engine, desk, "pi", limit=2) == ids[:-3:-1]

    run(db_url, scenario)


def test_session_names_match_within_visibility_newest_first(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk = await add_desk(engine)
        other = await add_desk(engine)
        old = await add_session(engine, desk, "Иван Петров", minutes_ago=30)
        recent = await add_session(engine, desk, "ИВАН Сидоров", minutes_ago=1)
        tie_a = await add_session(engine, desk, "Maria", minutes_ago=5)
        closed = await add_session(
            engine, desk, "Иван closed", minutes_ago=0, status=SessionStatus.closed
        )
        hidden = await add_session(engine, other, "Иван hidden", minutes_ago=0)
        tie_b = await add_session(engine, desk, "maria b")
        async with transaction(engine) as db:  # equal activity: higher id first
            at = (await db.get_one(ChatSession, tie_a)).last_activity_at
            await db.execute(
                update(ChatSession).where(ChatSession.id == tie_b).values(last_activity_at=at)
            )
        visible = (ChatSession.livechat_id == desk.livechat_id) & (
            ChatSession.status != SessionStatus.closed
        )
        assert await find_sessions(engine, "иван", visible) == [recent, old]
        assert await find_sessions(engine, "ив", visible) == [recent, old]
        assert await find_sessions(engine, "MARIA", visible) == [tie_b, tie_a]
        assert await find_sessions(engine, "иван") == [hidden, closed, recent, old]
        assert await find_sessions(engine, "hidden", visible) == []

    run(db_url, scenario)


def test_index_follows_updates_and_deletes(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk = await add_desk(engine)
        session_id = await add_session(engine, desk, "Old name")
        kept, edited, deleted = await add_messages(
            engine, desk, session_id, "apple pie", "apple tart", "apple jam"
        )
        async with transaction(engine) as db:
            await db.execute(
                update(Message).where(Message.id == edited).values(search_text=fold("Banana"))
            )
            await db.execute(delete(Message).where(Message.id == deleted))
            await db.execute(
                update(ChatSession)
                .where(ChatSession.id == session_id)
                .values(search_name=fold("Новое имя"), status=SessionStatus.active)
            )
        assert await find_messages(engine, desk, "apple") == [kept]
        assert await find_messages(engine, desk, "banana") == [edited]
        assert await find_messages(engine, desk, "jam") == []
        assert await find_sessions(engine, "old name") == []
        assert await find_sessions(engine, "новое") == [session_id]
        # Deleting the session cascades to its messages; the index follows that too.
        async with transaction(engine) as db:
            await db.execute(delete(ChatSession).where(ChatSession.id == session_id))
        assert await find_messages(engine, desk, "apple") == []
        assert await find_sessions(engine, "новое") == []
        await assert_fts_consistent(engine)

    run(db_url, scenario)


async def assert_fts_consistent(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        return
    async with reading(engine) as db:
        for fts in ("messages_fts", "sessions_fts"):
            # Raises "database disk image is malformed" if index and content disagree.
            await db.execute(text(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"))


@pytest.mark.parametrize("engine_name", ENGINES)
def test_migration_indexes_existing_rows_and_downgrades(engine_name: str, tmp_path: Path) -> None:
    with fresh_database(engine_name, tmp_path, migrate=False) as url:
        cfg = alembic_config(url)
        command.upgrade(cfg, "0001")
        desks: list[Desk] = []

        async def seed(engine: AsyncEngine) -> None:
            desk, _ = await one_conversation(engine, "written before 0002")
            desks.append(desk)

        async def finds(engine: AsyncEngine) -> None:
            assert len(await find_messages(engine, desks[0], "BEFORE")) == 1
            await assert_fts_consistent(engine)

        run(url, seed)
        command.upgrade(cfg, "head")
        run(url, finds)
        command.downgrade(cfg, "0001")
        run(url, lambda engine: assert_search_objects(engine, present=False))
        command.upgrade(cfg, "head")
        run(url, lambda engine: assert_search_objects(engine, present=True))
        run(url, finds)


async def assert_search_objects(engine: AsyncEngine, *, present: bool) -> None:
    if engine.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE name LIKE '%\\_fts%' ESCAPE '\\'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trgm'"
    async with reading(engine) as db:
        names = set((await db.scalars(text(sql))).all())
    if engine.dialect.name == "sqlite":
        expected = {"messages_fts", "sessions_fts"} | {
            f"{fts}_{t}" for fts in ("messages_fts", "sessions_fts") for t in ("ai", "ad", "au")
        }
    else:
        expected = {"ix_messages_search_text_trgm", "ix_sessions_search_name_trgm"}
    assert (expected <= names) if present else not names, names


def test_substring_filter_is_served_by_the_search_index(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        await one_conversation(engine, "hello")
        # A transaction (reads are not one on PostgreSQL): the plan check sets a local option.
        async with transaction(engine) as db:
            stmt = select(Message.id).where(contains_folded(db, _MESSAGE_TEXT, "hel%lo"))
            plan = await explain(db, stmt)
        index = "messages_fts" if engine.dialect.name == "sqlite" else "search_text_trgm"
        assert index in plan, plan

    run(db_url, scenario)


async def explain(db: DbSession, stmt: Select[Any]) -> str:
    bind = db.get_bind()
    compiled = stmt.compile(bind, compile_kwargs={"literal_binds": True})
    if bind.dialect.name == "sqlite":
        rows = await db.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        return "\n".join(str(r[-1]) for r in rows)
    # Tiny tables: make the planner show whether the index can serve the filter at all.
    await db.execute(text("SET LOCAL enable_seqscan = off"))
    rows = await db.execute(text(f"EXPLAIN {compiled}"))
    return "\n".join(str(r[0]) for r in rows)


def test_a_small_history_is_read_a_large_one_searched_through_the_index(db_url: str) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        desk, ids = await one_conversation(engine, "first apple", "second pear", "third apple")
        statements: list[str] = []

        def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", seen)
        async with reading(engine) as db:
            small = await search_message_ids(db, "apple", desk.livechat_id, [desk.contact_id])
            read_with = list(statements)
            statements.clear()
            with mock.patch.object(search, "SCAN_AT_MOST", 2):  # the history has 3
                large = await search_message_ids(db, "apple", desk.livechat_id, [desk.contact_id])
        assert small == large == [ids[2], ids[0]]
        if engine.dialect.name == "sqlite":
            assert not any("messages_fts" in sql for sql in read_with), read_with
            assert any("messages_fts" in sql for sql in statements), statements

    run(db_url, scenario)
