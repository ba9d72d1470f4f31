"""Several text frames of one socket written with one call to the transport.

Every frame sent through Starlette's ``WebSocket.send_text`` is one ASGI message, and
uvicorn writes each one to the socket at once: one system call per frame, which was the
largest single cost of delivering a busy chat's messages (BENCHMARKS.md). When frames are
waiting in a socket's queue, ``FrameWriter`` frames them all with the server's WebSocket
protocol and writes the bytes in one call. It needs uvicorn's ``websockets-sansio``
protocol (``config.SERVER_OPTIONS``), reached through the ASGI ``send`` callable that
``api.fastpath.FastRoutes`` keeps in the scope; under any other server it is not made,
and frames go through Starlette one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.types import Scope
from starlette.websockets import WebSocketDisconnect
from websockets.exceptions import InvalidState

RAW_SEND_KEY = "livedesk.raw_send"
_PROTOCOL = "WebSocketsSansIOProtocol"
_NEEDS = ("writable", "disconnected", "close_sent", "handshake_complete", "conn", "transport")


class FrameWriter:
    def __init__(self, protocol: Any) -> None:
        self._p = protocol

    @classmethod
    def of(cls, scope: Scope) -> FrameWriter | None:
        protocol = getattr(scope.get(RAW_SEND_KEY), "__self__", None)
        if type(protocol).__name__ != _PROTOCOL or not all(hasattr(protocol, a) for a in _NEEDS):
            return None
        return cls(protocol)

    async def write(self, frames: Sequence[bytes]) -> None:
        """Frame and write ``frames`` (UTF-8 JSON) in order, as uvicorn's own send does
        for each: wait while the transport is paused, refuse a closed socket."""
        p = self._p
        await p.writable.wait()
        if p.disconnected or p.close_sent or not p.handshake_complete:
            raise WebSocketDisconnect(code=1006)
        try:
            for frame in frames:
                p.conn.send_text(frame)
        except InvalidState:
            raise WebSocketDisconnect(code=1006) from None
        p.transport.write(b"".join(p.conn.data_to_send()))
