"""The people and places of a bench run, written straight into a new database: live chats
with widget channels, operators (online, with API tokens), visitors (with tokens), the
sessions of the take storms; ``history.py`` adds the large history."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from livedesk.bench.bulk import Bulk, Row
from livedesk.bench.target import Chat
from livedesk.lib.passwords import hash_password, token_hash
from livedesk.lib.textsearch import fold
from livedesk.models import (
    ApiToken,
    Base,
    Channel,
    ChannelKind,
    ChatSession,
    Contact,
    ContactIdentity,
    LiveChat,
    Membership,
    SessionStatus,
    User,
    UserStatus,
)
from livedesk.models.base import utcnow

BENCH_PASSWORD = "bench-password"


def _fast_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class SeededChat:
    id: int
    channel_id: int
    chat: Chat
    operator_ids: list[int] = field(default_factory=list)


@dataclass
class Staging:
    """Rows to write, ids handed out as they are created."""

    bulk: Bulk
    now: datetime = field(default_factory=utcnow)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    tokens: dict[int, str] = field(default_factory=dict)
    password_hash: str = field(default_factory=lambda: hash_password(BENCH_PASSWORD))

    def add(self, model: type[Base], row: Row) -> Row:
        self.rows.setdefault(model.__tablename__, []).append(row)
        return row

    def user(self, name: str) -> int:
        """An operator who is online, with an API token (kept in ``tokens``)."""
        (uid,) = self.bulk.ids(User.__tablename__, 1)
        self.add(User, _user_row(uid, name, self.password_hash, self.now))
        token = _fast_token()
        (tid,) = self.bulk.ids(ApiToken.__tablename__, 1)
        self.add(ApiToken, _token_row(tid, uid, token, self.now))
        self.tokens[uid] = token
        return uid

    def livechat(self, name: str, operators: list[int], supervisors: list[int]) -> SeededChat:
        (lc,) = self.bulk.ids(LiveChat.__tablename__, 1)
        self.add(LiveChat, {"id": lc, "name": name, "settings": {}, "created_at": self.now})
        for uid in dict.fromkeys([*operators, *supervisors]):
            self.add(
                Membership,
                {
                    "livechat_id": lc,
                    "user_id": uid,
                    "is_operator": uid in operators,
                    "is_supervisor": uid in supervisors,
                },
            )
        (ch,) = self.bulk.ids(Channel.__tablename__, 1)
        key = uuid.uuid4().hex
        self.add(Channel, _channel_row(ch, lc, key, self.now))
        chat = Chat(key, [self.tokens[u] for u in operators])
        return SeededChat(lc, ch, chat, list(operators))

    def contact(self, chat: SeededChat, name: str, token: str | None) -> int:
        (cid,) = self.bulk.ids(Contact.__tablename__, 1)
        self.add(Contact, _contact_row(cid, chat.id, name, self.now))
        (iid,) = self.bulk.ids(ContactIdentity.__tablename__, 1)
        hashed = token_hash(token) if token else None
        self.add(ContactIdentity, _identity_row(iid, cid, chat.channel_id, hashed, self.now))
        return cid

    def visitors(self, chat: SeededChat, count: int) -> None:
        for n in range(count):
            token = _fast_token()
            self.contact(chat, f"Bench visitor {n}", token)
            chat.chat.visitor_tokens.append(token)

    def waiting_session(self, chat: SeededChat, n: int) -> int:
        cid = self.contact(chat, f"Waiting customer {n}", None)
        (sid,) = self.bulk.ids(ChatSession.__tablename__, 1)
        at = self.now - timedelta(seconds=n)
        self.add(ChatSession, session_row(sid, chat, cid, f"Waiting customer {n}", at))
        return sid

    async def write(self) -> None:
        for model in (User, ApiToken, LiveChat, Membership, Channel, Contact, ContactIdentity):
            await self.bulk.insert(model.__tablename__, self.rows.pop(model.__tablename__, []))
        await self.bulk.insert("sessions", self.rows.pop("sessions", []))


def _user_row(uid: int, name: str, password_hash: str, now: datetime) -> Row:
    return {
        "id": uid,
        "email": f"bench{uid}@bench.local",
        "name": name,
        "password_hash": password_hash,
        "is_admin": False,
        "is_active": True,
        "locale": "en",
        "status": UserStatus.online,
        "created_at": now,
    }


def _token_row(tid: int, uid: int, token: str, now: datetime) -> Row:
    return {
        "id": tid,
        "user_id": uid,
        "name": "bench",
        "token_hash": token_hash(token),
        "created_at": now,
        "last_used_at": None,
    }


def _channel_row(ch: int, lc: int, key: str, now: datetime) -> Row:
    return {
        "id": ch,
        "livechat_id": lc,
        "kind": ChannelKind.widget,
        "name": "Website",
        "config": {},
        "widget_key": key,
        "secret": None,
        "is_active": True,
        "created_at": now,
    }


def _contact_row(cid: int, lc: int, name: str, now: datetime) -> Row:
    return {
        "id": cid,
        "livechat_id": lc,
        "name": name,
        "email": None,
        "phone": None,
        "avatar_url": None,
        "account_item_id": None,
        "created_at": now,
    }


def _identity_row(iid: int, cid: int, ch: int, hashed: str | None, now: datetime) -> Row:
    return {
        "id": iid,
        "contact_id": cid,
        "channel_id": ch,
        "external_id": uuid.uuid4().hex,
        "username": None,
        "token_hash": hashed,
        "created_at": now,
    }


def session_row(
    sid: int,
    chat: SeededChat,
    contact_id: int,
    name: str,
    at: datetime,
    status: SessionStatus = SessionStatus.unassigned,
) -> Row:
    return {
        "id": sid,
        "livechat_id": chat.id,
        "contact_id": contact_id,
        "channel_id": chat.channel_id,
        "channel_kind": ChannelKind.widget,
        "name": name,
        "search_name": fold(name),
        "status": status,
        "assignee_id": None,
        "last_assignee_id": None,
        "created_at": at,
        "waiting_since": at,
        "closed_at": None,
        "last_message_id": None,
        "last_activity_at": at,
    }
