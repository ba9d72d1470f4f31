"""Run Alembic migrations programmatically (``livedesk migrate``, ``serve``, tests)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """What the models describe, for autogenerate and for comparing a migrated schema with
    them: not what migrations create by hand (search tables and indexes)."""
    name = name or ""
    return not ("_fts" in name or name.endswith("_trgm"))


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextlib.contextmanager
def _sqlite_migration_lock(url: str) -> Iterator[None]:
    """Nodes on one SQLite file migrate one at a time, as PostgreSQL's advisory lock makes
    them do there (env.py): an exclusive lock on a file beside the database, held from
    before the first connection until the migration has committed. Without it, several
    processes racing over a fresh file (turning it to WAL, creating the version table)
    could see errors other than "busy" on a loaded machine."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        yield
        return
    database = Path(parsed.database)
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{database}.migrate.lock", "a") as lock_file:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


def upgrade(url: str) -> None:
    """Bring the schema up to date; idempotent, and safe for several nodes at once."""
    with _sqlite_migration_lock(url):
        command.upgrade(alembic_config(url), "head")


async def upgrade_async(url: str) -> None:
    # Alembic's env.py runs its own event loop; keep it off the caller's.
    await asyncio.to_thread(upgrade, url)
