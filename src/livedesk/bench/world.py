"""Everything a run's scenarios need, seeded into its database before the server starts."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

from livedesk.bench.bulk import Bulk
from livedesk.bench.corpus import Corpus
from livedesk.bench.flow import MAX_INGEST_RATE, visitors_for
from livedesk.bench.history import write_history
from livedesk.bench.load import HISTORY_CHATS, OPERATORS_PER_CHAT, Load
from livedesk.bench.seed import Staging
from livedesk.bench.stats import Figures
from livedesk.bench.target import Chat
from livedesk.db.engine import create_engine


@dataclass
class World:
    ingest: Chat
    latency: list[Chat]
    take_tokens: list[str]
    take_sessions: list[int]
    reader_token: str
    search_sessions: list[int]
    message_queries: list[str]
    name_queries: list[str]
    socket_tokens: list[str]  # operators' tokens for the idle sockets
    seeded: Figures = field(default_factory=dict)

    def next_take_sessions(self, count: int) -> list[int]:
        chosen, self.take_sessions = self.take_sessions[:count], self.take_sessions[count:]
        if len(chosen) < count:
            raise RuntimeError("no unassigned sessions left for the take storms")
        return chosen


def _chat_operators(staging: Staging, label: str, count: int) -> list[int]:
    return [staging.user(f"{label} operator {n}") for n in range(count)]


def _visitor_counts(load: Load, node_setups: int) -> tuple[int, int]:
    """Visitors to seed: for the ingest chat, and for each latency chat."""
    per_ingest_run = visitors_for(int(MAX_INGEST_RATE * load.secs)) + load.ingest_concurrency
    per_chat_run = sum(
        visitors_for(math.ceil(rate * load.secs / load.latency_chats))
        for rate in load.latency_rates
    )
    runs = load.runs * node_setups
    return per_ingest_run * runs, per_chat_run * runs


async def build_world(url: str, load: Load, node_setups: int, *, history: bool = True) -> World:
    """Seed ``url`` (migrated and empty). ``node_setups``: 2 when the two-node runs need
    visitors of their own (the rate limit of a visitor spans runs). ``history``: with the
    large history (sessions and messages) that lists and search read."""
    engine = create_engine(url)
    try:
        bulk = Bulk(engine)
        await bulk.prepare()
        sized = load if history else replace(load, sessions=0, messages=0)
        return await _build(bulk, sized, node_setups)
    finally:
        await engine.dispose()


async def _build(bulk: Bulk, load: Load, node_setups: int) -> World:
    started = time.monotonic()
    st = Staging(bulk)
    ingest_visitors, latency_visitors = _visitor_counts(load, node_setups)
    ingest = st.livechat("Ingest", _chat_operators(st, "Ingest", OPERATORS_PER_CHAT), [])
    st.visitors(ingest, ingest_visitors)
    latency = []
    for n in range(load.latency_chats):
        chat = st.livechat(f"Latency {n}", _chat_operators(st, f"L{n}", OPERATORS_PER_CHAT), [])
        st.visitors(chat, latency_visitors)
        latency.append(chat)
    take = st.livechat("Take", _chat_operators(st, "Take", load.take_operators), [])
    take_sessions = [st.waiting_session(take, n) for n in range(load.take_storms * load.runs)]
    reader = st.user("Reader")
    history_ops = _chat_operators(st, "History", OPERATORS_PER_CHAT - 1)
    chats = [
        st.livechat(f"History {n}", [reader, *history_ops], [reader] if n % 2 == 0 else [])
        for n in range(HISTORY_CHATS)
    ]
    await st.write()
    supervised = {c.id for n, c in enumerate(chats) if n % 2 == 0}
    history = await write_history(bulk, chats, supervised, load.sessions, load.messages)
    await bulk.finish()
    corpus = Corpus.create()
    return World(
        ingest=ingest.chat,
        latency=[c.chat for c in latency],
        take_tokens=take.chat.operator_tokens,
        take_sessions=take_sessions,
        reader_token=st.tokens[reader],
        search_sessions=history.search_sessions,
        message_queries=corpus.message_queries(),
        name_queries=corpus.name_queries(),
        socket_tokens=list(st.tokens.values()),
        seeded={
            "sessions": load.sessions,
            "messages": load.messages,
            "users": len(st.tokens),
            "history_secs": round(history.seconds, 1),
            "seed_secs": round(time.monotonic() - started, 1),
        },
    )
