"""The node's socket registry: hands each delivered event to its recipients' sockets.

Delivery never waits on a socket: each socket has its own bounded queue, and a socket
whose queue is full is told to resync and dropped, so a slow client never slows others.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Protocol

from livedesk.realtime.envelope import Envelope


class Subscriber(Protocol):
    recipient: str

    def push(self, envelope: Envelope) -> None: ...

    def request_catch_up(self) -> None: ...


class Hub:
    def __init__(self) -> None:
        self._by_recipient: dict[str, set[Subscriber]] = defaultdict(set)

    def add(self, sub: Subscriber) -> None:
        self._by_recipient[sub.recipient].add(sub)

    def remove(self, sub: Subscriber) -> None:
        subs = self._by_recipient.get(sub.recipient)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._by_recipient[sub.recipient]

    def deliver(self, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            for recipient in envelope.recipients:
                for sub in tuple(self._by_recipient.get(recipient, ())):
                    sub.push(envelope)

    async def catch_up_all(self) -> None:
        """After the bus lost events (Redis outage): every socket re-reads the log."""
        for subs in tuple(self._by_recipient.values()):
            for sub in tuple(subs):
                sub.request_catch_up()
        await asyncio.sleep(0)

    def is_connected(self, recipient: str) -> bool:
        return bool(self._by_recipient.get(recipient))

    @property
    def socket_count(self) -> int:
        return sum(len(s) for s in self._by_recipient.values())
