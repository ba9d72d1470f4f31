"""Run Alembic migrations programmatically (``livedesk migrate``, ``serve``, tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the schema up to date; idempotent."""
    command.upgrade(alembic_config(url), "head")


async def upgrade_async(url: str) -> None:
    # Alembic's env.py runs its own event loop; keep it off the caller's.
    await asyncio.to_thread(upgrade, url)
