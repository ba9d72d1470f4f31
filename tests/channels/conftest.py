"""Channel tests: the server's Settings point the Bot API at a local stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from livedesk.config import Settings
from tests.channels.standin import StandIn, running_standin


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with running_standin() as s:
        yield s


@pytest.fixture
def settings(db_url: str, tmp_path: Path, standin: StandIn) -> Settings:
    """Overrides the suite's ``settings``: same database, plus the stand-in Bot API."""
    return Settings(
        database_url=db_url,
        data_dir=tmp_path,
        redis_url="",
        telegram_api_url=standin.url,
        outbox_backoff_base_secs=1.0,
        _env_file=None,
    )
