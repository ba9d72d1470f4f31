"""Each live chat's unassigned sessions are kept in ``livechat_counts`` by triggers
(migration 0006): after any write to ``sessions``, the kept numbers are what counting the
sessions gives, which is what the counters show to operators and supervisors."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from livedesk.db.engine import create_engine
from livedesk.db.migrate import alembic_config
from livedesk.db.session import transaction
from livedesk.lib.counters import unassigned_by_livechat
from livedesk.models import (
    ChannelKind,
    ChatSession,
    Contact,
    LiveChat,
    LiveChatCount,
    SessionStatus,
)
from tests.databases import fresh_database

S = ChatSession.__table__


async def _kept(engine: AsyncEngine, chats: list[int]) -> dict[int, int]:
    async with transaction(engine) as db:
        return await unassigned_by_livechat(db, frozenset(chats))


async def _counted(engine: AsyncEngine) -> dict[int, int]:
    async with transaction(engine) as db:
        rows = await db.execute(
            select(ChatSession.livechat_id, func.count())
            .where(ChatSession.status == SessionStatus.unassigned)
            .group_by(ChatSession.livechat_id)
        )
        return {lc: int(n) for lc, n in rows}


async def _chat_with_contact(engine: AsyncEngine, name: str) -> tuple[int, int]:
    async with transaction(engine) as db:
        chat = LiveChat(name=name)
        db.add(chat)
        await db.flush()
        contact = Contact(livechat_id=chat.id, name=f"{name} customer")
        db.add(contact)
        await db.flush()
        return chat.id, contact.id


def _session(chat: int, contact: int, status: SessionStatus) -> dict[str, Any]:
    return {
        "livechat_id": chat,
        "contact_id": contact,
        "channel_kind": ChannelKind.widget,
        "name": "a visitor",
        "status": status,
    }


async def _run(engine: AsyncEngine, statement: Any) -> list[int]:
    """``statement`` in a transaction of its own; the first column of what it returns."""
    async with transaction(engine) as db:
        result = await (await db.connection()).execute(statement)
        return [int(row[0]) for row in result] if result.returns_rows else []


def test_kept_counts_follow_every_write_to_sessions(engine_name: str, tmp_path: Path) -> None:
    async def main(url: str) -> None:
        engine = create_engine(url)
        try:
            (a, ca), (b, _) = [await _chat_with_contact(engine, n) for n in ("a", "b")]
            chats = [a, b]
            steps: list[tuple[str, dict[int, int]]] = []

            async def step(name: str, statement: Any) -> list[int]:
                out = await _run(engine, statement)
                kept, counted = await _kept(engine, chats), await _counted(engine)
                assert kept == counted, (name, kept, counted)
                steps.append((name, kept))
                return out

            u, active = SessionStatus.unassigned, SessionStatus.active
            ids = await step(
                "three waiting and one taken, in one statement",
                insert(S)
                .values([_session(a, ca, u)] * 3 + [_session(a, ca, active)])
                .returning(S.c.id),
            )
            first, second, third, taken = ids
            by_id = S.c.id
            await step("one taken", update(S).where(by_id == first).values(status=active))
            await step("one back in the queue", update(S).where(by_id == taken).values(status=u))
            await step(
                "written again, unchanged", update(S).where(by_id == second).values(status=u)
            )
            await step("moved to chat b", update(S).where(by_id == third).values(livechat_id=b))
            await step("one closed", update(S).where(by_id == taken).values(status="closed"))
            await step("one deleted", delete(S).where(by_id == second))
            await step("b's taken", update(S).where(by_id == third).values(status=active))
            await step("a's back", update(S).where(by_id == first).values(status=u))
            assert [kept for _, kept in steps] == [
                {a: 3},
                {a: 2},
                {a: 3},
                {a: 3},
                {a: 2, b: 1},
                {a: 1, b: 1},
                {b: 1},
                {},
                {a: 1},
            ]
            # A live chat deleted takes its row along (a new chat never inherits it).
            chat_a = LiveChat.__table__
            await step("chat a deleted", delete(chat_a).where(chat_a.c.id == a))
            rows = await _run(engine, select(LiveChatCount.livechat_id))
            assert a not in rows
        finally:
            await engine.dispose()

    with fresh_database(engine_name, tmp_path) as url:
        asyncio.run(main(url))


def test_the_migration_counts_the_sessions_already_there(engine_name: str, tmp_path: Path) -> None:
    async def before(url: str) -> int:
        engine = create_engine(url)
        try:
            chat, contact = await _chat_with_contact(engine, "a")
            waiting = [_session(chat, contact, SessionStatus.unassigned)] * 2
            taken = [_session(chat, contact, SessionStatus.active)]
            await _run(engine, insert(S).values(waiting + taken))
            return chat
        finally:
            await engine.dispose()

    async def after(url: str, chat: int) -> dict[int, int]:
        engine = create_engine(url)
        try:
            return await _kept(engine, [chat])
        finally:
            await engine.dispose()

    with fresh_database(engine_name, tmp_path, migrate=False) as url:
        command.upgrade(alembic_config(url), "0005")
        chat = asyncio.run(before(url))
        command.upgrade(alembic_config(url), "head")
        assert asyncio.run(after(url, chat)) == {chat: 2}
