"""Sliding-window rate limits kept in process memory (login attempts, visitor requests).

Per node: with N nodes an attacker gets N times the budget, which still bounds guessing.
"""

from __future__ import annotations

import time
from collections import deque


class RateLimiter:
    def __init__(self, limit: int, window_secs: float) -> None:
        self.limit = limit
        self.window_secs = window_secs
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> bool:
        """Record an attempt; False when the key is over its limit (the attempt is refused)."""
        now = time.monotonic()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] > self.window_secs:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 100_000:
            self._prune(now)
        return True

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _prune(self, now: float) -> None:
        stale = [k for k, v in self._hits.items() if not v or now - v[-1] > self.window_secs]
        for key in stale:
            del self._hits[key]
