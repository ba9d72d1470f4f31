"""Periodic pruning: the event log (clients older than retention are told to resync), and
uploads that were never attached to a message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from livedesk.actions.files import store_for
from livedesk.models import Event, StoredFile
from livedesk.models.base import utcnow
from livedesk.realtime.log import prune_before
from livedesk.realtime.runtime import Runtime

log = logging.getLogger(__name__)

PRUNE_INTERVAL_SECS = 3600.0
# An upload not attached within this long was abandoned (the composer was closed).
UNATTACHED_UPLOAD_HOURS = 24


async def prune_events_once(rt: Runtime) -> int:
    """Delete events older than ``event_retention_days``; returns how many went."""
    horizon = utcnow() - timedelta(days=rt.settings.event_retention_days)
    async with rt.tx() as db:
        cutoff = (
            await db.execute(select(func.min(Event.id)).where(Event.created_at >= horizon))
        ).scalar_one_or_none()
        if cutoff is None:
            cutoff = (
                await db.execute(select(func.coalesce(func.max(Event.id), 0)))
            ).scalar_one() + 1
        return await prune_before(db, int(cutoff))


async def prune_unattached_uploads(rt: Runtime) -> int:
    """Delete abandoned uploads, and their bytes when no other file shares them."""
    horizon = utcnow() - timedelta(hours=UNATTACHED_UPLOAD_HOURS)
    async with rt.tx() as db:
        rows = await db.execute(
            select(StoredFile).where(
                StoredFile.uploader.is_not(None),
                StoredFile.message_id.is_(None),
                StoredFile.created_at < horizon,
            )
        )
        gone = list(rows.scalars())
        for f in gone:
            await db.delete(f)
        await db.flush()
        digests = {f.sha256 for f in gone if f.sha256}
        shared = set()
        if digests:
            still = await db.execute(
                select(StoredFile.sha256).where(StoredFile.sha256.in_(digests)).distinct()
            )
            shared = set(still.scalars())
    store = store_for(rt.settings)
    for digest in digests - shared:
        await asyncio.to_thread(_unlink_if_older, store.path(digest), horizon.timestamp())
    return len(gone)


def _unlink_if_older(path: Path, horizon: float) -> None:
    """Blobs written or re-uploaded since the horizon may belong to a row not yet committed."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_mtime < horizon:
            path.unlink()


async def run_retention(rt: Runtime, interval_secs: float = PRUNE_INTERVAL_SECS) -> None:
    while True:
        try:
            pruned = await prune_events_once(rt)
            if pruned:
                log.info("event log: pruned %d events", pruned)
            dropped = await prune_unattached_uploads(rt)
            if dropped:
                log.info("files: dropped %d abandoned uploads", dropped)
        except Exception:
            log.exception("event log pruning failed")
        await asyncio.sleep(interval_secs)
