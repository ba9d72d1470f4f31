"""A batch of customers' messages costs the same statements whatever its size: no query per
message, per new session or per operator to alert."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, select

from livedesk.actions.conversations import CustomerText, do_customer_messages
from livedesk.config import Settings
from livedesk.models import Channel, Contact, Message
from livedesk.realtime.runtime import Runtime
from tests.client import Desk, Visitor


async def _write(settings: Settings, visitors: list[Visitor], text: str) -> tuple[int, list[int]]:
    """Write one message of each visitor in one batch: (statements it took, message ids)."""
    rt = Runtime.from_settings(settings)
    await rt.start()
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    try:
        async with rt.tx() as db:
            # As the widget's path holds them: read in the batch's own transaction.
            wanted = [v.contact_id for v in visitors]
            found = await db.execute(select(Contact).where(Contact.id.in_(wanted)))
            contacts = {c.id: c for c in found.scalars()}
            channels = {c.livechat_id: c for c in (await db.execute(select(Channel))).scalars()}
            items = [
                CustomerText(contacts[i], channels[contacts[i].livechat_id], f"{text} {i}")
                for i in wanted
            ]
            # Counted through the commit: the events' log is written there.
            event.listen(rt.engine.sync_engine, "before_cursor_execute", count)
            messages = await do_customer_messages(db, items)
        event.remove(rt.engine.sync_engine, "before_cursor_execute", count)
        async with rt.read() as db:
            stored = await db.execute(
                select(Message.id, Message.contact_id, Message.text).where(
                    Message.id.in_([m.id for m in messages])
                )
            )
            # Each message got the id of its own row.
            written = {(m.id, m.contact_id, m.text) for m in messages}
            assert written == {tuple(row) for row in stored}
        return len(statements), [m.id for m in messages]
    finally:
        await rt.stop()


def test_statements_per_batch_do_not_grow_with_messages_sessions_or_operators(
    desk: Desk, settings: Settings
) -> None:
    chats = [
        desk.livechat(f"Chat {n}", operators=[desk.user(f"Op {n}.{k}") for k in range(3)])
        for n in range(2)
    ]
    few = [desk.visitor(chats[n % 2], f"Few {n}") for n in range(2)]
    many = [desk.visitor(chats[n % 2], f"Many {n}") for n in range(10)]
    # First messages: each opens a session and alerts the chat's operators.
    opening = [asyncio.run(_write(settings, group, "hello")) for group in (few, many)]
    assert opening[0][0] == opening[1][0]
    # Follow-ups in the sessions just opened.
    follow_up = [asyncio.run(_write(settings, group, "more")) for group in (few, many)]
    assert follow_up[0][0] == follow_up[1][0]
    assert follow_up[1][0] <= opening[1][0]
    # Ids in the order the messages were given.
    for _, ids in (*opening, *follow_up):
        assert ids == sorted(ids)
