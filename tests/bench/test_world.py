"""The bench's world is a running desk's: its history comes with the event log such a
desk keeps (the days of ``event_retention_days``), on both engines."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from livedesk.bench.databases import POSTGRES_ENV
from livedesk.bench.load import full_load
from livedesk.bench.world import build_world
from livedesk.config import Settings
from livedesk.db.engine import create_engine
from livedesk.models import Event
from livedesk.schemas.sessions import MessagePublic
from tests.databases import ENGINES, fresh_database, postgres_admin_url

pytestmark = pytest.mark.timeout(240)


def _aware(value: datetime | str) -> datetime:
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_history_comes_with_the_event_log_of_the_days_a_desk_keeps(
    engine_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(POSTGRES_ENV, postgres_admin_url())
    keep = timedelta(days=Settings().event_retention_days)

    async def run(
        url: str,
    ) -> tuple[int, list[tuple[int, datetime]], dict[int, int], int, dict[str, Any]]:
        started = datetime.now(UTC)
        await build_world(url, full_load(0.005, 1, 1), 1)
        engine = create_engine(url)
        try:
            async with engine.connect() as c:
                messages = (await c.execute(text("SELECT count(*) FROM messages"))).scalar_one()
                logged = await c.execute(
                    text("SELECT e.id, e.created_at FROM events e WHERE e.type = 'message.created'")
                )
                events = [(int(i), _aware(at)) for i, at in logged]
                counts = await c.execute(
                    text("SELECT event_id, count(*) FROM event_recipients GROUP BY event_id")
                )
                recipients = {int(e): int(n) for e, n in counts}
                newest = select(Event.data).order_by(Event.id.desc()).limit(1)
                payload = (await c.execute(newest)).scalar_one()["message"]
        finally:
            await engine.dispose()
        return messages, events, recipients, int((started - keep).timestamp()), payload

    with fresh_database(engine_name, tmp_path) as url:
        messages, events, recipients, since, newest = asyncio.run(run(url))
    assert messages > 0 and events, "a desk with a history has an event log"
    assert len(events) < messages  # only the days it keeps
    assert all(at.timestamp() >= since for _, at in events)
    # Every logged message goes to its live chat's operators.
    assert set(recipients) == {i for i, _ in events}
    assert min(recipients.values()) > 0
    # As the server logs a message: its public shape.
    assert MessagePublic.model_validate(newest).session_id > 0
