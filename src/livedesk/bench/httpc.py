"""A minimal HTTP/1.1 keep-alive client on raw asyncio streams.

General clients spend more per request than the server under test does (httpx tops out
near 800 requests/s on this machine), so the load is driven with this one: one request in
flight per connection, the request written in one call, the response read by its
Content-Length (or chunks).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

CRLF = b"\r\n"
HEADER_END = b"\r\n\r\n"


class HttpError(RuntimeError):
    pass


class HttpConn:
    """One keep-alive connection to ``host:port``; reconnects when the server closed it."""

    def __init__(self, host: str, port: int, headers: Mapping[str, str] | None = None) -> None:
        self.host = host
        self.port = port
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._fixed = f"Host: {host}:{port}\r\n{extra}"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def connect(self) -> None:
        """Open the connection now, so that the first request does not pay for it."""
        await self._connect()

    async def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Send one request and read its whole response: (status, body)."""
        reader, writer = await self._connect()
        head = f"{method} {path} HTTP/1.1\r\n{self._fixed}"
        head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + CRLF + (body or b""))
        try:
            return await _read_response(reader)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            await self.close()
            raise HttpError(f"{method} {path}: connection lost") from exc

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(HEADER_END)
    lines = head.split(CRLF)
    status = int(lines[0].split(b" ", 2)[1])
    length: int | None = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        return status, await _read_chunked(reader)
    if length is None:
        raise HttpError(f"response {status} without Content-Length")
    return status, await reader.readexactly(length)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(CRLF)).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(CRLF)
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
