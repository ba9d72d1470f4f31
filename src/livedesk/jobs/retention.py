"""Periodic pruning of the event log (clients older than retention are told to resync)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import func, select

from livedesk.models import Event
from livedesk.models.base import utcnow
from livedesk.realtime.log import prune_before
from livedesk.realtime.runtime import Runtime

log = logging.getLogger(__name__)

PRUNE_INTERVAL_SECS = 3600.0


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


async def run_retention(rt: Runtime, interval_secs: float = PRUNE_INTERVAL_SECS) -> None:
    while True:
        try:
            pruned = await prune_events_once(rt)
            if pruned:
                log.info("event log: pruned %d events", pruned)
        except Exception:
            log.exception("event log pruning failed")
        await asyncio.sleep(interval_secs)
