"""The counters of PRODUCT.md ("Counters"), per role, over HTTP and pushed over the WebSocket.

Users of live chat A: ``op`` and ``op2`` (operators only), ``sup`` (supervisor only), ``both``
(operator and supervisor); ``x`` is operator and supervisor of another live chat B only.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import orjson
from websockets.sync.client import ClientConnection, connect

from tests.client import Api, Desk

SETTLE_SECS = 0.3
WAIT_SECS = 5.0
ZERO = (0, 0, 0, 0)
ROLE_GROUPS = {
    "operator": ("mine", "unassigned", "closed"),
    "supervisor": ("unassigned", "active", "closed"),
    "both": ("mine", "unassigned", "active", "closed"),
}


def _ws_url(api: Api) -> str:
    return api.base.replace("http://", "ws://", 1) + "/api/events"


@contextlib.contextmanager
def _socket(api: Api, *, by_cookie: bool = False) -> Iterator[ClientConnection]:
    """The user's event socket, replaying from the start of the log so nothing is missed."""
    if by_cookie:
        cookie = "; ".join(f"{k}={v}" for k, v in api.http.cookies.items())
        url, headers = _ws_url(api) + "?since=0", {"Cookie": cookie}
    else:
        token = api.post("/api/tokens", {"name": "events"}, expect=201)["token"]
        url, headers = _ws_url(api) + f"?since=0&token={token}", {}
    with connect(url, additional_headers=headers) as ws:
        yield ws


def _frames(ws: ClientConnection, wait: float) -> list[dict[str, Any]]:
    """Every frame that arrives until ``wait`` seconds pass without one (heartbeats dropped)."""
    out = []
    while True:
        try:
            raw = ws.recv(timeout=wait)
        except TimeoutError:
            return out
        frame = orjson.loads(raw)
        if frame["type"] != "heartbeat":
            out.append(frame)


def _counters(red: int, blue: int, unread: int, supervised: int) -> dict[str, int]:
    return {
        "red": red,
        "blue": blue,
        "unread_sessions": unread,
        "unassigned_supervised": supervised,
    }


class World:
    """Chat A with op, op2, sup, both; x in chat B; every user's socket open."""

    def __init__(self, desk: Desk, stack: contextlib.ExitStack) -> None:
        self.desk = desk
        self.op = desk.user("Olga")
        self.op2 = desk.user("Oleg")
        self.sup = desk.user("Sveta")
        self.both = desk.user("Boris")
        self.x = desk.user("Xena")
        self.chat = desk.livechat(
            "A", operators=[self.op, self.op2, self.both], supervisors=[self.sup, self.both]
        )
        self.other = desk.livechat("B", operators=[self.x], supervisors=[self.x])
        self.roles = {"op": "operator", "op2": "operator", "sup": "supervisor", "both": "both"}
        self.users = {
            "op": self.op,
            "op2": self.op2,
            "sup": self.sup,
            "both": self.both,
            "x": self.x,
        }
        self.ws = {
            name: stack.enter_context(_socket(api, by_cookie=name == "sup"))
            for name, api in self.users.items()
        }
        self.unassigned = 0
        self.numbers = dict.fromkeys(self.users, ZERO)
        for ws in self.ws.values():
            _frames(ws, SETTLE_SECS)  # the replay of joining the live chats
        self.events: dict[str, list[dict[str, Any]]] = {name: [] for name in self.users}

    def full(self, name: str, numbers: tuple[int, int, int, int]) -> dict[str, Any]:
        """GET /api/counters as it must read for this user."""
        if name == "x":
            per_chat = {str(self.other["id"]): {"unread_sessions": 0, "unassigned": 0}}
        else:
            per_chat = {
                str(self.chat["id"]): {"unread_sessions": numbers[2], "unassigned": self.unassigned}
            }
        return {**_counters(*numbers), "livechats": per_chat}

    def step(
        self,
        *,
        unassigned: int,
        counters: dict[str, tuple[int, int, int, int]],
        rows: dict[str, dict[int, tuple[int, bool]]],
        alerts: dict[str, int] | None = None,
    ) -> None:
        """Check the state after an action: counters over HTTP, per-session rows, and that
        ``counters`` events reached exactly the users whose counters changed."""
        previous = {name: self.full(name, self.numbers[name]) for name in self.users}
        self.unassigned = unassigned
        self.numbers = {name: counters.get(name, ZERO) for name in self.users}
        expected = {name: self.full(name, self.numbers[name]) for name in self.users}
        for name, api in self.users.items():
            assert api.get("/api/counters") == expected[name], name
            assert self.rows(name) == rows.get(name, {}), name
            groups = {str(c["id"]): c["groups"] for c in api.get("/api/livechats")}
            assert groups == self.group_sizes(name), name

        time.sleep(SETTLE_SECS)
        for name, ws in self.ws.items():
            frames = _frames(ws, 0.05)
            pushed = [f["data"] for f in frames if f["type"] == "counters"]
            if expected[name] != previous[name] and not pushed:
                pushed = [f["data"] for f in _frames(ws, WAIT_SECS) if f["type"] == "counters"]
            if expected[name] != previous[name]:
                assert pushed == [expected[name]], (name, pushed, expected[name])
            else:
                assert pushed == [], (name, "numbers did not change", pushed)
            got_alerts = [f["data"] for f in frames if f["type"] == "alert"]
            assert len(got_alerts) == (alerts or {}).get(name, 0), (name, got_alerts)
            self.events[name] += frames

    def group_sizes(self, name: str) -> dict[str, dict[str, int | None]]:
        """The menu's group sizes per live chat: each as long as that group's list."""
        chat = self.other if name == "x" else self.chat
        role = "both" if name == "x" else self.roles[name]
        api = self.users[name]
        sizes: dict[str, int | None] = dict.fromkeys(ROLE_GROUPS["both"])
        for group in ROLE_GROUPS[role]:
            url = f"/api/sessions?livechat_id={chat['id']}&group={group}"
            sizes[group] = len(api.get(url)["items"])
        return {str(chat["id"]): sizes}

    def rows(self, name: str) -> dict[int, tuple[int, bool]]:
        """Every session row the user's menu shows in chat A: id -> (unread_count, is_new)."""
        api = self.users[name]
        if name == "x":
            for group in ROLE_GROUPS["both"]:
                url = f"/api/sessions?livechat_id={self.chat['id']}&group={group}"
                assert api.http.get(url).status_code == 404
                assert api.get(f"/api/sessions?group={group}")["items"] == []
            return {}
        out: dict[int, tuple[int, bool]] = {}
        for group in ROLE_GROUPS[self.roles[name]]:
            page = api.get(f"/api/sessions?livechat_id={self.chat['id']}&group={group}")
            for s in page["items"]:
                row = (s["unread_count"], s["is_new"])
                assert out.setdefault(s["id"], row) == row
                assert s["is_new"] == (s["status"] == "unassigned")
        return out


def _last_message_id(api: Api, sid: int) -> int:
    items = api.get(f"/api/sessions/{sid}/messages")["items"]
    return int(next(m["id"] for m in items if m["author"]["kind"] != "system"))


def test_counter_rules_per_role_over_http_and_websocket(desk: Desk) -> None:
    with contextlib.ExitStack() as stack:
        w = World(desk, stack)
        assert all(w.users[n].get("/api/counters") == w.full(n, ZERO) for n in w.users)
        op, op2, sup, both = w.op, w.op2, w.sup, w.both
        c1 = desk.visitor(w.chat, "Ivan")

        # A new customer message opens a session: blue for operators, red for supervisors,
        # an alert for every (online) operator.
        s1 = c1.say("hi")["session_id"]
        new = {s1: (1, True)}
        w.step(
            unassigned=1,
            counters={
                "op": (0, 1, 0, 0),
                "op2": (0, 1, 0, 0),
                "sup": (1, 0, 0, 1),
                "both": (1, 1, 0, 1),
            },
            rows={"op": new, "op2": new, "sup": new, "both": new},
            alerts={"op": 1, "op2": 1, "both": 1},
        )
        alert = next(f["data"] for f in w.events["op"] if f["type"] == "alert")
        assert alert["session_id"] == s1 and alert["new_session"] is True

        # Take: no longer unassigned for anyone; an unread session for the taker.
        op.post(f"/api/sessions/{s1}/take")
        w.step(
            unassigned=0,
            counters={"op": (1, 0, 1, 0)},
            rows={"op": {s1: (1, False)}, "sup": {s1: (1, False)}, "both": {s1: (1, False)}},
        )

        # Reading the last message clears the assignee's red counter, and only theirs.
        op.post(f"/api/sessions/{s1}/read", {"message_id": _last_message_id(op, s1)})
        w.step(
            unassigned=0,
            counters={},
            rows={"op": {s1: (0, False)}, "sup": {s1: (1, False)}, "both": {s1: (1, False)}},
        )

        # A customer follow-up in a read session: red again for the assignee (and an alert).
        c1.say("more")
        w.step(
            unassigned=0,
            counters={"op": (1, 0, 1, 0)},
            rows={"op": {s1: (1, False)}, "sup": {s1: (2, False)}, "both": {s1: (2, False)}},
            alerts={"op": 1},
        )
        # Another one: more unread messages, but no counter moves.
        c1.say("and more")
        w.step(
            unassigned=0,
            counters={"op": (1, 0, 1, 0)},
            rows={"op": {s1: (2, False)}, "sup": {s1: (3, False)}, "both": {s1: (3, False)}},
        )

        # The assignee replies (without reading first): their reply moves their cursor.
        op.post(f"/api/sessions/{s1}/messages", {"text": "hello"}, expect=201)
        w.step(
            unassigned=0,
            counters={},
            rows={"op": {s1: (0, False)}, "sup": {s1: (4, False)}, "both": {s1: (4, False)}},
        )

        # Reading only part of the unread messages leaves the session unread.
        first = c1.say("one")["id"]
        second = c1.say("two")["id"]
        w.step(
            unassigned=0,
            counters={"op": (1, 0, 1, 0)},
            rows={"op": {s1: (2, False)}, "sup": {s1: (6, False)}, "both": {s1: (6, False)}},
            alerts={"op": 1},
        )
        op.post(f"/api/sessions/{s1}/read", {"message_id": first})
        w.step(
            unassigned=0,
            counters={"op": (1, 0, 1, 0)},
            rows={"op": {s1: (1, False)}, "sup": {s1: (6, False)}, "both": {s1: (6, False)}},
        )
        op.post(f"/api/sessions/{s1}/read", {"message_id": second})
        w.step(
            unassigned=0,
            counters={},
            rows={"op": {s1: (0, False)}, "sup": {s1: (6, False)}, "both": {s1: (6, False)}},
        )

        # An operator hands a (read) session to another operator: unread for the new one.
        op.post(f"/api/sessions/{s1}/assign", {"operator_id": op2.id})
        w.step(
            unassigned=0,
            counters={"op2": (1, 0, 1, 0)},
            rows={"op2": {s1: (6, False)}, "sup": {s1: (6, False)}, "both": {s1: (6, False)}},
        )

        # A second customer; a supervisor assigns the unassigned session.
        s2 = desk.visitor(w.chat, "Petr").say("hello?")["session_id"]
        w.step(
            unassigned=1,
            counters={
                "op": (0, 1, 0, 0),
                "op2": (1, 1, 1, 0),
                "sup": (1, 0, 0, 1),
                "both": (1, 1, 0, 1),
            },
            rows={
                "op": {s2: (1, True)},
                "op2": {s1: (6, False), s2: (1, True)},
                "sup": {s1: (6, False), s2: (1, True)},
                "both": {s1: (6, False), s2: (1, True)},
            },
            alerts={"op": 1, "op2": 1, "both": 1},
        )
        sup.post(f"/api/sessions/{s2}/assign", {"operator_id": both.id})
        busy = {s1: (6, False), s2: (1, False)}
        w.step(
            unassigned=0,
            counters={"op2": (1, 0, 1, 0), "both": (1, 0, 1, 0)},
            rows={"op2": {s1: (6, False)}, "sup": busy, "both": busy},
        )

        # A supervisor takes an unread session from op2 back to op, who had read it all.
        sup.post(f"/api/sessions/{s1}/assign", {"operator_id": op.id})
        w.step(
            unassigned=0,
            counters={"both": (1, 0, 1, 0)},
            rows={"op": {s1: (0, False)}, "sup": busy, "both": busy},
        )

        # Closing a read session moves nobody's numbers; closing an unread one does.
        op.post(f"/api/sessions/{s1}/close")
        w.step(
            unassigned=0,
            counters={"both": (1, 0, 1, 0)},
            rows={"op": {s1: (0, False)}, "sup": busy, "both": busy},
        )
        both.post(f"/api/sessions/{s2}/close")
        w.step(unassigned=0, counters={}, rows={"op": {s1: (0, False)}, "sup": busy, "both": busy})

        # A supervisor closes an unassigned session: everyone's queue shrinks.
        s3 = desk.visitor(w.chat).say("anyone?")["session_id"]
        w.step(
            unassigned=1,
            counters={
                "op": (0, 1, 0, 0),
                "op2": (0, 1, 0, 0),
                "sup": (1, 0, 0, 1),
                "both": (1, 1, 0, 1),
            },
            rows={
                "op": {s1: (0, False), s3: (1, True)},
                "op2": {s3: (1, True)},
                "sup": {**busy, s3: (1, True)},
                "both": {**busy, s3: (1, True)},
            },
            alerts={"op": 1, "op2": 1, "both": 1},
        )
        sup.post(f"/api/sessions/{s3}/close")
        closed = {**busy, s3: (1, False)}
        w.step(
            unassigned=0, counters={}, rows={"op": {s1: (0, False)}, "sup": closed, "both": closed}
        )

        # The member of another live chat heard nothing of all this.
        assert w.events["x"] == []


def test_counters_in_several_live_chats_add_up(desk: Desk) -> None:
    u = desk.user()
    peer = desk.user()
    sales = desk.livechat("Sales", operators=[u, peer])
    vip = desk.livechat("VIP", supervisors=[u], operators=[peer])
    mixed = desk.livechat("Mixed", operators=[u], supervisors=[u])
    desk.visitor(sales).say("a")
    desk.visitor(sales).say("b")
    desk.visitor(vip).say("c")
    m = desk.visitor(mixed).say("d")["session_id"]
    desk.visitor(mixed).say("e")
    u.post(f"/api/sessions/{m}/take")
    c = u.get("/api/counters")
    # blue: unassigned where operator (sales 2 + mixed 1); red: 1 unread + supervised (vip 1 +
    # mixed 1).
    assert (c["blue"], c["red"], c["unread_sessions"], c["unassigned_supervised"]) == (3, 3, 1, 2)
    assert c["livechats"] == {
        str(sales["id"]): {"unread_sessions": 0, "unassigned": 2},
        str(vip["id"]): {"unread_sessions": 0, "unassigned": 1},
        str(mixed["id"]): {"unread_sessions": 1, "unassigned": 1},
    }

    # The menu's group sizes per live chat, by the role held in each.
    def sizes(mine: int | None, unassigned: int, active: int | None) -> dict[str, int | None]:
        return {"mine": mine, "unassigned": unassigned, "active": active, "closed": 0}

    assert {lc["id"]: lc["groups"] for lc in u.get("/api/livechats")} == {
        sales["id"]: sizes(0, 2, None),
        vip["id"]: sizes(None, 1, 0),
        mixed["id"]: sizes(1, 1, 1),
    }
    p = peer.get("/api/counters")
    assert (p["blue"], p["red"]) == (3, 0)
    assert u.get("/api/me")["counters"] == c
    # Pushed as read: the last ``counters`` event of each (written for several users at
    # once, in the customers' batches and the take) holds what GET /api/counters says.
    for api in (u, peer):
        with _socket(api) as ws:
            pushed = [f["data"] for f in _frames(ws, SETTLE_SECS) if f["type"] == "counters"]
        assert pushed and pushed[-1] == api.get("/api/counters")


def test_offline_operator_gets_no_alert(desk: Desk) -> None:
    online = desk.user("Online")
    offline = desk.user("Offline", status="offline")
    chat = desk.livechat(operators=[online, offline])
    with _socket(online) as ws_on, _socket(offline) as ws_off:
        _frames(ws_on, SETTLE_SECS)
        _frames(ws_off, SETTLE_SECS)
        visitor = desk.visitor(chat)
        sid = visitor.say("hello")["session_id"]
        time.sleep(SETTLE_SECS)
        on = _frames(ws_on, 0.1)
        off = _frames(ws_off, 0.1)
        alerts = [f["data"] for f in on if f["type"] == "alert"]
        assert [a["session_id"] for a in alerts] == [sid]
        assert alerts[0]["preview"] == "hello" and alerts[0]["livechat_id"] == chat["id"]
        assert [f["type"] for f in off if f["type"] == "alert"] == []
        # The offline operator's blue counter still moves (they can read).
        assert [f["data"]["blue"] for f in off if f["type"] == "counters"] == [1]
        assert offline.get("/api/counters")["blue"] == 1

        # An assignee who went offline gets no alert for a follow-up either.
        online.post(f"/api/sessions/{sid}/take")
        online.post(f"/api/sessions/{sid}/read", {"message_id": _last_message_id(online, sid)})
        online.put("/api/me/status", {"status": "offline"})
        _frames(ws_on, SETTLE_SECS)
        visitor.say("still there?")
        time.sleep(SETTLE_SECS)
        on = _frames(ws_on, 0.1)
        assert [f["type"] for f in on if f["type"] == "alert"] == []
        assert [f["data"]["red"] for f in on if f["type"] == "counters"] == [1]

        # Going online brings alerts back.
        offline.put("/api/me/status", {"status": "online"})
        _frames(ws_off, SETTLE_SECS)
        sid2 = desk.visitor(chat).say("new one")["session_id"]
        time.sleep(SETTLE_SECS)
        off = _frames(ws_off, 0.1)
        assert [f["data"]["session_id"] for f in off if f["type"] == "alert"] == [sid2]
