"""What a serving process (``livedesk serve``) sets for itself at startup, and only then."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator

import pytest

from livedesk.app import create_app
from livedesk.config import Settings
from livedesk.db.sqlite_inline import COMMIT_SWITCH_INTERVAL_SECS

PYTHON_DEFAULT_SWITCH_INTERVAL_SECS = 0.005


@pytest.fixture
def restored_process() -> Iterator[None]:
    interval, threshold = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(PYTHON_DEFAULT_SWITCH_INTERVAL_SECS)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.unfreeze()
        gc.set_threshold(*threshold)


async def _start_and_stop(settings: Settings, *, serving: bool) -> float:
    app = create_app(settings)
    if serving:
        app.state.settle_heap = True  # as `livedesk serve` does
    async with app.router.lifespan_context(app):
        return sys.getswitchinterval()


@pytest.mark.usefixtures("restored_process")
def test_a_server_on_sqlite_hands_a_finished_commit_back_within_half_a_millisecond(
    settings: Settings, engine_name: str
) -> None:
    """On SQLite, commits wait for the disk on a thread (db/sqlite_inline.py), and a busy
    loop would keep that thread from returning for up to 5 ms; PostgreSQL has no such
    thread, and a process that does not serve (tests, the bench) keeps Python's default."""
    assert asyncio.run(_start_and_stop(settings, serving=False)) == (
        PYTHON_DEFAULT_SWITCH_INTERVAL_SECS
    )
    during = asyncio.run(_start_and_stop(settings, serving=True))
    if engine_name == "sqlite":
        assert during == COMMIT_SWITCH_INTERVAL_SECS
    else:
        assert during == PYTHON_DEFAULT_SWITCH_INTERVAL_SECS
