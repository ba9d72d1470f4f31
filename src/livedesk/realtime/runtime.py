"""What every action and route needs at hand: settings, database engine, event bus, hub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from livedesk.config import Settings
from livedesk.db.batch import GroupCommit, Handler
from livedesk.db.engine import create_engine
from livedesk.db.session import DbSession, reading, transaction
from livedesk.realtime.bus import EventBus, create_bus
from livedesk.realtime.envelope import Envelope
from livedesk.realtime.hub import Hub
from livedesk.realtime.members_cache import MEMBERS_CACHE, MembersCache

I = TypeVar("I")  # noqa: E741
R = TypeVar("R")


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    bus: EventBus
    hub: Hub = field(default_factory=Hub)
    # Orders event commits within this process (the whole story on SQLite; see log.py).
    order_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    members: MembersCache = field(default_factory=MembersCache)
    _grouped: dict[Handler[Any, Any], GroupCommit[Any, Any]] = field(
        default_factory=dict, init=False, repr=False
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings.resolved_database_url())
        return cls(settings, engine, create_bus(settings.redis_url, settings.redis_channel))

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[DbSession]:
        """A write transaction; events staged in it are logged and published at commit."""
        async with transaction(self.engine) as db:
            db.info["bus"] = self.bus
            db.info["order_lock"] = self.order_lock
            db.info[MEMBERS_CACHE] = self.members
            yield db

    async def tx_grouped(self, handle: Handler[I, R], item: I) -> R:
        """``handle`` applied to ``item`` in a write transaction shared with the items
        queued beside it (db/batch.py): for the hottest writes (customers' messages)."""
        group = self._grouped.get(handle)
        if group is None:
            group = self._grouped[handle] = GroupCommit(self.tx, handle)
        result: R = await group.run(item)
        return result

    @asynccontextmanager
    async def read(self) -> AsyncIterator[DbSession]:
        async with reading(self.engine) as db:
            db.info[MEMBERS_CACHE] = self.members
            yield db

    async def start(self) -> None:
        await self.bus.start(self._deliver, self._bus_lost)

    def _deliver(self, envelopes: list[Envelope]) -> None:
        self.members.observe(envelopes)
        self.hub.deliver(envelopes)

    async def _bus_lost(self) -> None:
        """The bus lost events (Redis outage): forget what they may have changed."""
        self.members.forget()
        await self.hub.catch_up_all()

    async def stop(self) -> None:
        await self.bus.stop()
        await self.engine.dispose()
