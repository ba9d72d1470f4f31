"""What the load generator talks to: a server's address, its live chats, who may write.

The same ``Target`` shape describes livedesk (real widget keys, visitor and operator
tokens) and the ceiling apps (synthetic keys; they check nothing), so that every target
takes exactly the same requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import quote


class Kind(StrEnum):
    livedesk = "livedesk"
    ceiling = "ceiling"


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int


@dataclass
class Chat:
    """A live chat under load: its widget key, its operators' API tokens and a pool of
    visitors. Each visitor writes at most ``VISITOR_MESSAGES`` messages (under the per-visitor
    rate limit of the server), so runs take fresh visitors from the pool."""

    widget_key: str
    operator_tokens: list[str]
    visitor_tokens: list[str] = field(default_factory=list)
    synthetic: bool = False
    _taken: int = 0

    def take_visitors(self, count: int) -> list[str]:
        if self.synthetic:
            return ["-"] * count
        chosen = self.visitor_tokens[self._taken : self._taken + count]
        if len(chosen) < count:
            raise RuntimeError(f"visitor pool of {self.widget_key} exhausted: seed more")
        self._taken += count
        return chosen


@dataclass
class Target:
    kind: Kind
    name: str
    post: Endpoint  # where visitors write
    watch: Endpoint  # where operator sockets listen (another node in the two-node runs)
    server_pids: list[int]

    def message_path(self, chat: Chat) -> str:
        return f"/api/widget/{chat.widget_key}/messages"

    def socket_url(self, chat: Chat, token: str) -> str:
        query = f"token={quote(token)}" if self.kind is Kind.livedesk else f"chat={chat.widget_key}"
        return f"ws://{self.watch.host}:{self.watch.port}/api/events?{query}"


def synthetic_chats(count: int, operators: int) -> list[Chat]:
    return [Chat(f"c{i}", ["-"] * operators, synthetic=True) for i in range(count)]
