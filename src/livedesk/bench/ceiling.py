"""The two ceilings livedesk is measured against, each a tiny app on the same stack
(uvicorn with uvloop, httptools and websockets-sansio; no compression), taking the same
requests as livedesk:

- ``minimal``: ``POST /api/widget/{key}/messages`` -> one SQLite insert (WAL, a commit per
  message, not synced: ``synchronous=NORMAL``, where livedesk syncs each commit, so the
  ratio to it is conservative) -> the frame pushed to the live chat's sockets;
- ``bare``: the same without the database: a broadcast and nothing else.

No authentication, no rules, no event log. Sockets listen at ``/api/events?chat={key}``;
each has a bounded send queue, as livedesk's do. Run as
``python -m livedesk.bench.ceiling minimal|bare PORT [DB_PATH]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import sys
from collections import defaultdict
from datetime import UTC, datetime

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from livedesk.config import SERVER_OPTIONS
from livedesk.lib.heap import settle_heap

SEND_QUEUE_MAX = 2_000


class _Socket:
    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(SEND_QUEUE_MAX)

    def push(self, frame: bytes) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(frame)

    async def write_loop(self) -> None:
        while True:
            await self.ws.send_text((await self.queue.get()).decode())


class _Store:
    """Where a message goes before its broadcast: a SQLite table, or nowhere."""

    def __init__(self, path: str | None) -> None:
        self._ids = itertools.count(1)
        self._db: sqlite3.Connection | None = None
        if path:
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, "
                "chat TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL)"
            )

    def insert(self, chat: str, text: str, created_at: str) -> int:
        if self._db is None:
            return next(self._ids)
        cursor = self._db.execute(
            "INSERT INTO messages (chat, text, created_at) VALUES (?, ?, ?)",
            (chat, text, created_at),
        )
        return int(cursor.lastrowid or 0)


def create_ceiling_app(db_path: str | None) -> Starlette:
    store = _Store(db_path)
    hub: dict[str, set[_Socket]] = defaultdict(set)

    async def post_message(request: Request) -> Response:
        chat = request.path_params["key"]
        text = str(orjson.loads(await request.body())["text"])
        now = datetime.now(UTC).isoformat()
        message = {"id": store.insert(chat, text, now), "text": text, "created_at": now}
        frame = orjson.dumps(
            {"id": message["id"], "type": "message.created", "data": {"message": message}}
        )
        for sock in hub.get(chat, ()):
            sock.push(frame)
        return Response(orjson.dumps(message), 201, media_type="application/json")

    async def events(ws: WebSocket) -> None:
        await ws.accept()
        sock, chat = _Socket(ws), ws.query_params.get("chat", "")
        hub[chat].add(sock)
        writer = asyncio.create_task(sock.write_loop())
        try:
            while True:
                await ws.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            hub[chat].discard(sock)
            writer.cancel()

    async def ready(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(
        routes=[
            Route("/api/widget/{key}/messages", post_message, methods=["POST"]),
            WebSocketRoute("/api/events", events),
            Route("/readyz", ready),
        ]
    )


def main(argv: list[str]) -> None:
    kind, port = argv[0], int(argv[1])
    db_path = argv[2] if kind == "minimal" else None
    app = create_ceiling_app(db_path)
    settle_heap()  # the collector as `livedesk serve` sets it: the same stack
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        **SERVER_OPTIONS,  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main(sys.argv[1:])
