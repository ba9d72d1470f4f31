"""Apps tests: the server's webhooks go to a local stand-in receiver."""

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
def settings(db_url: str, tmp_path: Path) -> Settings:
    """The suite's settings, with quick retries for the webhook tests."""
    return Settings(
        database_url=db_url,
        data_dir=tmp_path,
        redis_url="",
        outbox_backoff_base_secs=0.5,
        outbox_poll_secs=0.2,
        _env_file=None,
    )
