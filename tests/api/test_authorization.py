"""Who may call what: every HTTP endpoint of the running server, as every kind of actor.

The table below has one row per (endpoint, target); each row says what every actor must get.
``test_table_covers_every_endpoint`` compares the table with the server's OpenAPI document, so
a new endpoint without a row fails. Widget endpoints (customers, not users) have their own cases.

Rules (API.md, PRODUCT.md): anonymous -> 401 ``not_authenticated``; a widget visitor's token
grants nothing on user endpoints (401 too); admin endpoints as a non-admin -> 403 ``admin_only``;
any session / contact / live chat the user may not see -> 404, never a hint it exists.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.client import Api, Desk, Visitor

SESSION_COOKIE = "livedesk_session"
USER_PASSWORD = "pass1234"  # what Desk.user gives everyone

Expect = tuple[int, str | None]  # (status, error code); None: a success, no code to check
NOT_AUTH: Expect = (401, "not_authenticated")
ADMIN_ONLY: Expect = (403, "admin_only")
NOT_FOUND: Expect = (404, "not_found")
NOT_AN_OPERATOR: Expect = (403, "not_an_operator")
NOT_ASSIGNEE: Expect = (403, "not_assignee")

USERS = ("admin", "op", "sup", "both", "outsider")
ACTORS = (*USERS, "visitor", "anon")
# Actors that authenticate with a personal API token (no cookie, no CSRF): same rules as theirs.
TOKEN_ACTORS = {"op_token": "op", "admin_token": "admin"}
MISSING = 999_999


def _norm(value: Expect | int) -> Expect:
    return (value, None) if isinstance(value, int) else value


def expect(users: Expect | int, **overrides: Expect | int) -> dict[str, Expect]:
    """``users`` for every user unless overridden; visitor and anonymous: 401 unless overridden."""
    table = {a: _norm(users) for a in USERS} | {"visitor": NOT_AUTH, "anon": NOT_AUTH}
    return table | {a: _norm(v) for a, v in overrides.items()}


def public(status: int = 200) -> dict[str, Expect]:
    return {a: (status, None) for a in ACTORS}


def seen_by(*who: str, ok: int = 200, **overrides: Expect | int) -> dict[str, Expect]:
    """Users in ``who`` get ``ok``; every other user 404, as if the object did not exist."""
    return expect(NOT_FOUND, **{a: ok for a in who}, **overrides)


@dataclass
class Target:
    session_id: int
    contact_id: int
    message_id: int


@dataclass
class Probe:
    params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None  # a raw body (file uploads)


_n = itertools.count(1)


class World:
    """Live chat A (operators op, op2, both; supervisors sup, both), live chat B (outsider is its
    operator and supervisor), and sessions made on demand: ``target(kind)``."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.admin = desk.admin
        self.op = desk.user("Op")
        self.op2 = desk.user("Op Two")
        self.sup = desk.user("Sup")
        self.both = desk.user("Both")
        self.outsider = desk.user("Outsider")
        self.chat_a = desk.livechat(
            "Chat A", operators=[self.op, self.op2, self.both], supervisors=[self.sup, self.both]
        )
        self.chat_b = desk.livechat(
            "Chat B", operators=[self.outsider], supervisors=[self.outsider]
        )
        self.visitor = desk.visitor(self.chat_a, "Widget Visitor")
        self.visitor.say("hello from the widget")
        self._targets: dict[str, Target] = {}

    @property
    def a(self) -> int:
        return int(self.chat_a["id"])

    @property
    def b(self) -> int:
        return int(self.chat_b["id"])

    def channel_a(self) -> int:
        """A's widget channel (made by ``desk.livechat``)."""
        chat = self.admin.get(f"/api/livechats/{self.a}")
        return int(next(c["id"] for c in chat["channels"] if c["kind"] == "widget"))

    def members_a(self) -> dict[str, list[int]]:
        return {
            "operators": [self.op.id, self.op2.id, self.both.id],
            "supervisors": [self.sup.id, self.both.id],
        }

    def _open(self, chat: dict[str, Any]) -> tuple[Visitor, Target]:
        v = self.desk.visitor(chat, f"Customer {next(_n)}")
        m = v.say("probe message")
        return v, Target(int(m["session_id"]), v.contact_id, int(m["id"]))

    def _make(self, kind: str) -> Target:
        if kind == "missing":
            return Target(MISSING, MISSING, MISSING)
        chat = self.chat_b if kind == "b" else self.chat_a
        _, t = self._open(chat)
        owner = {"a_op2": self.op2, "a_op_closed": self.op, "a_op2_closed": self.op2}.get(kind)
        if owner is not None:
            owner.post(f"/api/sessions/{t.session_id}/take")
        if kind.endswith("_closed") and owner is not None:
            owner.post(f"/api/sessions/{t.session_id}/close")
        return t

    def target(self, kind: str) -> Target:
        """a_unassigned: waiting in A; a_op2: A, taken by op2; a_op_closed / a_op2_closed: A,
        closed by its assignee; b: waiting in B; missing: ids that exist nowhere."""
        if kind not in self._targets:
            self._targets[kind] = self._make(kind)
        return self._targets[kind]

    def apps(self) -> tuple[int, int]:
        """An item app and a customer app, bound to A (made once)."""
        if not hasattr(self, "_apps"):
            fields = [{"key": "subject", "label": "Subject", "type": "string"}]
            ids = [
                self.admin.post("/api/apps", {"name": name, "fields": fields}, expect=201)["id"]
                for name in ("Probe requests", "Probe customers")
            ]
            settings = {"item_app_id": ids[0], "customer_app_id": ids[1]}
            self.admin.patch(f"/api/livechats/{self.a}", {"settings": settings})
            self._apps = (int(ids[0]), int(ids[1]))
        return self._apps

    def item_a(self) -> tuple[int, int]:
        """(app id, item id) of an item created from a chat of A (made once)."""
        if not hasattr(self, "_item_a"):
            app_id = self.apps()[0]
            sid = self.target("a_items").session_id  # a session of A of its own
            body = {"fields": {"subject": "from a chat"}}
            made = self.sup.post(f"/api/sessions/{sid}/items", body, expect=201)
            self._item_a = (app_id, int(made["item"]["id"]))
        return self._item_a

    def file_url(self) -> str:
        """A file an operator of A uploaded."""
        sid = self.target("a_items").session_id
        made = self.op.request(
            "POST",
            f"/api/sessions/{sid}/files",
            201,
            params={"name": "probe.txt"},
            content=b"probe",
            headers={"Content-Type": "text/plain"},
        )
        return str(made["url"])

    def drop(self, *kinds: str) -> None:
        for kind in kinds:
            self._targets.pop(kind, None)


Prepare = Callable[[World], Probe]


def no_args(_: World) -> Probe:
    return Probe()


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # as in the OpenAPI document
    expect: dict[str, Expect]
    target: str = ""
    prepare: Prepare = no_args
    # A success changes these targets (taken, closed, ...): make fresh ones for the next actor.
    resets: tuple[str, ...] = ()


def on_session(kind: str, json: Any = None) -> Prepare:
    return lambda w: Probe({"session_id": w.target(kind).session_id}, json=json)


def on_contact(kind: str) -> Prepare:
    return lambda w: Probe({"contact_id": w.target(kind).contact_id})


def read_last(kind: str) -> Prepare:
    def prepare(w: World) -> Probe:
        t = w.target(kind)
        return Probe({"session_id": t.session_id}, json={"message_id": t.message_id})

    return prepare


def assign_to(kind: str, who: Callable[[World], Api]) -> Prepare:
    return lambda w: Probe(
        {"session_id": w.target(kind).session_id}, json={"operator_id": who(w).id}
    )


def take_next(w: World) -> Probe:
    w.target("a_unassigned")  # at least one session is waiting in A
    return Probe(json={"livechat_id": w.a})


def search_in(kind: str) -> Prepare:
    return lambda w: Probe(query={"q": "probe", "session_id": w.target(kind).session_id})


def with_apps(prepare: Prepare) -> Prepare:
    """``prepare`` once A's item and customer apps exist."""

    def run(w: World) -> Probe:
        w.apps()
        return prepare(w)

    return run


def on_app(json: Any = None) -> Prepare:
    return lambda w: Probe({"app_id": w.apps()[0]}, json=json)


S = "/api/sessions/{session_id}"
LC = "/api/livechats/{livechat_id}"
OPS_A = ("op", "sup", "both")  # who sees a waiting session of A
SUPS_A = ("sup", "both")  # who sees op2's session of A

ROWS: list[Row] = [
    # --- auth
    Row(
        "POST",
        "/api/auth/login",
        public(200),
        prepare=lambda w: Probe(json={"email": w.op.user["email"], "password": USER_PASSWORD}),
    ),
    Row("POST", "/api/tokens", expect(201), prepare=lambda w: Probe(json={"name": "probe"})),
    Row("GET", "/api/me", expect(200)),
    Row("PUT", "/api/me/status", expect(200), prepare=lambda w: Probe(json={"status": "online"})),
    # --- administration
    Row("GET", "/api/users", expect(ADMIN_ONLY, admin=200)),
    Row(
        "POST",
        "/api/users",
        expect(ADMIN_ONLY, admin=201),
        prepare=lambda w: Probe(
            json={
                "email": f"probe{uuid.uuid4().hex[:10]}@test.local",
                "name": "Probe",
                "password": USER_PASSWORD,
            }
        ),
    ),
    Row(
        "PATCH",
        "/api/users/{user_id}",
        expect(ADMIN_ONLY, admin=200),
        "a user",
        lambda w: Probe({"user_id": w.op2.id}, json={"name": "Op Two"}),
    ),
    Row(
        "PATCH",
        "/api/users/{user_id}",
        expect(ADMIN_ONLY, admin=NOT_FOUND),
        "missing",
        lambda w: Probe({"user_id": MISSING}, json={"name": "Nobody"}),
    ),
    Row("GET", "/api/livechats", expect(200)),
    Row(
        "POST",
        "/api/livechats",
        expect(ADMIN_ONLY, admin=201),
        prepare=lambda w: Probe(json={"name": "Probe chat"}),
    ),
    Row("GET", LC, expect(200, outsider=NOT_FOUND), "A", lambda w: Probe({"livechat_id": w.a})),
    Row("GET", LC, seen_by("admin", "outsider"), "B", lambda w: Probe({"livechat_id": w.b})),
    Row("GET", LC, seen_by(), "missing", lambda w: Probe({"livechat_id": MISSING})),
    Row(
        "PATCH",
        LC,
        expect(ADMIN_ONLY, admin=200),
        "A",
        lambda w: Probe({"livechat_id": w.a}, json={"name": "Chat A"}),
    ),
    Row(
        "PATCH",
        LC,
        expect(ADMIN_ONLY, admin=NOT_FOUND),
        "missing",
        lambda w: Probe({"livechat_id": MISSING}, json={"name": "X"}),
    ),
    Row(
        "PUT",
        LC + "/members",
        expect(ADMIN_ONLY, admin=200),
        "A",
        lambda w: Probe({"livechat_id": w.a}, json=w.members_a()),
    ),
    Row(
        "PUT",
        LC + "/members",
        expect(ADMIN_ONLY, admin=NOT_FOUND),
        "missing",
        lambda w: Probe({"livechat_id": MISSING}, json={"operators": [], "supervisors": []}),
    ),
    Row(
        "POST",
        LC + "/channels",
        expect(ADMIN_ONLY, admin=201),
        "A",
        lambda w: Probe({"livechat_id": w.a}, json={"kind": "api"}),
    ),
    Row(
        "POST",
        LC + "/channels",
        expect(ADMIN_ONLY, admin=NOT_FOUND),
        "missing",
        lambda w: Probe({"livechat_id": MISSING}, json={"kind": "api"}),
    ),
    Row(
        "GET",
        "/api/channels/{channel_id}",
        expect(ADMIN_ONLY, admin=200),
        "A",
        lambda w: Probe({"channel_id": w.channel_a()}),
    ),
    Row(
        "PATCH",
        "/api/channels/{channel_id}",
        expect(ADMIN_ONLY, admin=200),
        "A",
        lambda w: Probe({"channel_id": w.channel_a()}, json={"name": "Website"}),
    ),
    Row(
        "PATCH",
        "/api/channels/{channel_id}",
        expect(ADMIN_ONLY, admin=NOT_FOUND),
        "missing",
        lambda w: Probe({"channel_id": MISSING}, json={"name": "Website"}),
    ),
    # --- workspace: lists
    Row(
        "GET",
        "/api/sessions",
        expect(200),
        "all my chats",
        lambda w: Probe(query={"group": "unassigned"}),
    ),
    Row(
        "GET",
        "/api/sessions",
        seen_by(*OPS_A),
        "A",
        lambda w: Probe(query={"group": "unassigned", "livechat_id": w.a}),
    ),
    Row(
        "GET",
        "/api/sessions",
        seen_by("outsider"),
        "B",
        lambda w: Probe(query={"group": "active", "livechat_id": w.b}),
    ),
    Row("GET", "/api/counters", expect(200)),
    Row("GET", "/api/search", expect(200), "names", lambda w: Probe(query={"q": "probe"})),
    Row("GET", "/api/search", seen_by(*OPS_A), "a_unassigned", search_in("a_unassigned")),
    Row("GET", "/api/search", seen_by(*SUPS_A), "a_op2", search_in("a_op2")),
    Row("GET", "/api/search", seen_by("outsider"), "b", search_in("b")),
    # --- workspace: one session
    Row("GET", S, seen_by(*OPS_A), "a_unassigned", on_session("a_unassigned")),
    Row("GET", S, seen_by(*SUPS_A), "a_op2", on_session("a_op2")),
    Row("GET", S, seen_by(*OPS_A), "a_op_closed", on_session("a_op_closed")),
    Row("GET", S, seen_by(*SUPS_A), "a_op2_closed", on_session("a_op2_closed")),
    Row("GET", S, seen_by("outsider"), "b", on_session("b")),
    Row("GET", S, seen_by(), "missing", on_session("missing")),
    Row("GET", S + "/messages", seen_by(*OPS_A), "a_unassigned", on_session("a_unassigned")),
    Row("GET", S + "/messages", seen_by(*SUPS_A), "a_op2", on_session("a_op2")),
    Row("GET", S + "/messages", seen_by("outsider"), "b", on_session("b")),
    Row(
        "POST",
        S + "/messages",
        seen_by("sup", "both", ok=201, op=(409, "session_not_taken")),
        "a_unassigned",
        on_session("a_unassigned", {"text": "probe reply"}),
    ),
    Row(
        "POST",
        S + "/messages",
        seen_by(*SUPS_A, ok=201),
        "a_op2",
        on_session("a_op2", {"text": "probe reply"}),
    ),
    Row(
        "POST",
        S + "/messages",
        seen_by("outsider", ok=201),
        "b",
        on_session("b", {"text": "probe reply"}),
    ),
    Row(
        "POST",
        "/api/sessions/take-next",
        seen_by("op", "both", sup=NOT_AN_OPERATOR),
        "A",
        take_next,
        resets=("a_unassigned",),
    ),
    Row(
        "POST",
        S + "/take",
        seen_by("op", "both", sup=NOT_AN_OPERATOR),
        "a_unassigned",
        on_session("a_unassigned"),
        resets=("a_unassigned",),
    ),
    # An operator of the chat who lost the race for it hears who won (PRODUCT.md, "Take").
    Row(
        "POST",
        S + "/take",
        seen_by(
            op=(409, "session_already_taken"),
            sup=NOT_AN_OPERATOR,
            both=(409, "session_already_taken"),
        ),
        "a_op2",
        on_session("a_op2"),
    ),
    Row("POST", S + "/take", seen_by("outsider"), "b", on_session("b"), resets=("b",)),
    Row(
        "POST",
        S + "/assign",
        seen_by(*SUPS_A, op=NOT_ASSIGNEE),
        "a_unassigned",
        assign_to("a_unassigned", lambda w: w.op2),
        resets=("a_unassigned",),
    ),
    Row(
        "POST",
        S + "/assign",
        seen_by(*SUPS_A),
        "a_op2",
        assign_to("a_op2", lambda w: w.op),
        resets=("a_op2",),
    ),
    Row(
        "POST",
        S + "/assign",
        seen_by("outsider"),
        "b",
        assign_to("b", lambda w: w.outsider),
        resets=("b",),
    ),
    Row(
        "POST",
        S + "/close",
        seen_by(*SUPS_A, op=NOT_ASSIGNEE),
        "a_unassigned",
        on_session("a_unassigned"),
        resets=("a_unassigned",),
    ),
    Row("POST", S + "/close", seen_by(*SUPS_A), "a_op2", on_session("a_op2"), resets=("a_op2",)),
    Row("POST", S + "/close", seen_by("outsider"), "b", on_session("b"), resets=("b",)),
    Row("POST", S + "/read", seen_by(*OPS_A), "a_unassigned", read_last("a_unassigned")),
    Row("POST", S + "/read", seen_by(*SUPS_A), "a_op2", read_last("a_op2")),
    Row("POST", S + "/read", seen_by("outsider"), "b", read_last("b")),
    Row("POST", S + "/read", seen_by(), "missing", read_last("missing")),
    # --- contacts
    Row(
        "GET",
        "/api/contacts/{contact_id}",
        seen_by(*OPS_A),
        "a_unassigned",
        on_contact("a_unassigned"),
    ),
    Row("GET", "/api/contacts/{contact_id}", seen_by(*SUPS_A), "a_op2", on_contact("a_op2")),
    Row("GET", "/api/contacts/{contact_id}", seen_by("outsider"), "b", on_contact("b")),
    Row("GET", "/api/contacts/{contact_id}", seen_by(), "missing", on_contact("missing")),
    Row(
        "GET",
        "/api/contacts/{contact_id}/items",
        seen_by(*OPS_A),
        "a_unassigned",
        on_contact("a_unassigned"),
    ),
    Row("GET", "/api/contacts/{contact_id}/items", seen_by("outsider"), "b", on_contact("b")),
    Row(
        "GET",
        "/api/contacts/{contact_id}/account",
        seen_by(*OPS_A),
        "a_unassigned",
        on_contact("a_unassigned"),
    ),
    Row("GET", "/api/contacts/{contact_id}/account", seen_by(), "missing", on_contact("missing")),
    Row(
        "POST",
        "/api/contacts/{contact_id}/account",
        seen_by(*OPS_A),
        "a_unassigned",
        with_apps(
            lambda w: Probe(
                {"contact_id": w.target("a_unassigned").contact_id},
                json={"fields": {"subject": "Probe customer"}},
            )
        ),
    ),
    Row(
        "POST",
        "/api/contacts/{contact_id}/account",
        seen_by(outsider=(409, "no_customer_app")),
        "b",
        lambda w: Probe({"contact_id": w.target("b").contact_id}, json={"fields": {}}),
    ),
    Row(
        "DELETE",
        "/api/contacts/{contact_id}/account",
        seen_by(*OPS_A),
        "a_unassigned",
        on_contact("a_unassigned"),
    ),
    # --- attachments
    Row(
        "POST",
        S + "/files",
        seen_by(*OPS_A, ok=201),
        "a_unassigned",
        lambda w: Probe(
            {"session_id": w.target("a_unassigned").session_id},
            query={"name": "probe.txt"},
            content=b"probe",
        ),
    ),
    Row(
        "POST",
        S + "/files",
        seen_by("outsider", ok=201),
        "b",
        lambda w: Probe(
            {"session_id": w.target("b").session_id}, query={"name": "x.txt"}, content=b"x"
        ),
    ),
    # A file's link is its capability: anyone holding it may download; a wrong key is 404.
    Row(
        "GET",
        "/api/files/{key}/{name}",
        public(200),
        "uploaded",
        lambda w: Probe(dict(zip(("key", "name"), w.file_url().split("/")[-2:], strict=True))),
    ),
    Row(
        "GET",
        "/api/files/{key}/{name}",
        public(404),
        "missing",
        lambda w: Probe({"key": "no-such-key", "name": "x.txt"}),
    ),
    # --- apps and items
    Row("GET", "/api/apps", expect(200)),
    Row(
        "POST",
        "/api/apps",
        expect(ADMIN_ONLY, admin=201),
        prepare=lambda w: Probe(json={"name": f"Probe {uuid.uuid4().hex[:8]}", "fields": []}),
    ),
    Row("GET", "/api/apps/{app_id}", expect(200), "bound", with_apps(on_app())),
    Row("GET", "/api/apps/{app_id}", seen_by(), "missing", lambda w: Probe({"app_id": MISSING})),
    Row(
        "PATCH",
        "/api/apps/{app_id}",
        expect(ADMIN_ONLY, admin=200),
        "bound",
        with_apps(on_app(json={"name": "Probe requests"})),
    ),
    Row(
        "POST",
        "/api/apps/{app_id}/items",
        expect(201),
        "bound",
        with_apps(on_app(json={"fields": {"subject": "shared"}})),
    ),
    Row("GET", "/api/apps/{app_id}/items", expect(200), "bound", with_apps(on_app())),
    Row(
        "GET",
        "/api/apps/{app_id}/items/{item_id}",
        seen_by("admin", *OPS_A),
        "from a chat of A",
        lambda w: Probe(dict(zip(("app_id", "item_id"), w.item_a(), strict=True))),
    ),
    Row(
        "PATCH",
        "/api/apps/{app_id}/items/{item_id}",
        seen_by("admin", *OPS_A),
        "from a chat of A",
        lambda w: Probe(
            dict(zip(("app_id", "item_id"), w.item_a(), strict=True)),
            json={"fields": {"subject": "edited"}},
        ),
    ),
    Row(
        "POST",
        S + "/items",
        seen_by(*OPS_A, ok=201),
        "a_unassigned",
        with_apps(on_session("a_unassigned", {"fields": {"subject": "probe"}})),
    ),
    Row(
        "POST",
        S + "/items",
        seen_by(outsider=(409, "no_item_app")),
        "b",
        on_session("b", {"fields": {"subject": "probe"}}),
    ),
    # --- health (public)
    Row("GET", "/healthz", public(200)),
    Row("GET", "/readyz", public(200)),
    Row("GET", "/metrics", public(200)),
    # Last: it ends the cookie logins the rows above use.
    Row("POST", "/api/auth/logout", expect(204)),
]

WIDGET_ROUTES = {
    ("GET", "/api/widget/{widget_key}/config"),
    ("POST", "/api/widget/{widget_key}/visitors"),
    ("POST", "/api/widget/{widget_key}/messages"),
    ("GET", "/api/widget/{widget_key}/messages"),
    ("POST", "/api/widget/{widget_key}/files"),
}
# Messenger inbound: channel credentials, never a user's; tests/channels covers them.
CHANNEL_ROUTES = {
    ("POST", "/api/channels/telegram/{channel_id}/webhook"),
    ("POST", "/api/channels/api/{channel_id}/messages"),
}


# --------------------------------------------------------------------------- actors


@dataclass
class Actor:
    name: str
    headers: dict[str, str]
    csrf: str = ""

    def headers_for(self, method: str, *, with_csrf: bool = True) -> dict[str, str]:
        headers = dict(self.headers)
        if self.csrf and with_csrf and method not in ("GET", "HEAD"):
            headers["X-CSRF-Token"] = self.csrf
        return headers


def cookie_actor(name: str, api: Api) -> Actor:
    cookie = api.http.cookies[SESSION_COOKIE]
    return Actor(name, {"Cookie": f"{SESSION_COOKIE}={cookie}"}, api.csrf)


def token_of(api: Api) -> str:
    return str(api.post("/api/tokens", {"name": "integration"}, expect=201)["token"])


def actors_of(w: World) -> list[Actor]:
    return [
        cookie_actor("admin", w.admin),
        cookie_actor("op", w.op),
        cookie_actor("sup", w.sup),
        cookie_actor("both", w.both),
        cookie_actor("outsider", w.outsider),
        Actor("visitor", {"Authorization": f"Visitor {w.visitor.token}"}),
        Actor("anon", {}),
        Actor("op_token", {"Authorization": f"Bearer {token_of(w.op)}"}),
        Actor("admin_token", {"Authorization": f"Bearer {token_of(w.admin)}"}),
    ]


# --------------------------------------------------------------------------- probing


def error_shape_problem(r: httpx.Response) -> str | None:
    """None when the body is exactly {"error": {"code": str, "message": str}}."""
    try:
        body = r.json()
    except ValueError:
        return f"not JSON: {r.text[:200]!r}"
    ok = (
        isinstance(body, dict)
        and set(body) == {"error"}
        and isinstance(body["error"], dict)
        and set(body["error"]) == {"code", "message"}
        and isinstance(body["error"]["code"], str)
        and isinstance(body["error"]["message"], str)
        and bool(body["error"]["message"])
    )
    return None if ok else f"bad error body {body!r}"


def send(http: httpx.Client, row: Row, probe: Probe, headers: dict[str, str]) -> httpx.Response:
    http.cookies.clear()  # each actor's credentials travel in its own headers only
    kwargs: dict[str, Any] = {"headers": headers, "params": probe.query}
    if probe.json is not None:
        kwargs["json"] = probe.json
    if probe.content is not None:
        kwargs["content"] = probe.content
        headers["Content-Type"] = "text/plain"
    return http.request(row.method, row.path.format(**probe.params), **kwargs)


def check(row: Row, actor: str, r: httpx.Response, wanted: Expect) -> str | None:
    status, code = wanted
    got_code = None
    if r.status_code >= 400:
        problem = error_shape_problem(r)
        if problem:
            return f"{actor:11} {row.method} {row.path} [{row.target}]: {problem}"
        got_code = r.json()["error"]["code"]
    if r.status_code == status and (code is None or got_code == code):
        return None
    return (
        f"{actor:11} {row.method:5} {row.path} [{row.target}]: got {r.status_code} {got_code}, "
        f"wanted {status} {code or ''} ({r.text[:150]})"
    )


def run_table(w: World, actors: list[Actor]) -> list[str]:
    failures: list[str] = []
    with httpx.Client(base_url=w.desk.base, timeout=30) as http:
        for row in ROWS:
            for actor in actors:
                wanted = row.expect[TOKEN_ACTORS.get(actor.name, actor.name)]
                probe = row.prepare(w)
                r = send(http, row, probe, actor.headers_for(row.method))
                failure = check(row, actor.name, r, wanted)
                if failure:
                    failures.append(failure)
                if r.is_success:
                    w.drop(*row.resets)
    return failures


# --------------------------------------------------------------------------- tests


def test_table_covers_every_endpoint(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as http:
        doc = http.get("/api/openapi.json").json()
    published = {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method in item
        if method.lower() in ("get", "post", "put", "patch", "delete")
    }
    widget = {(m, p) for m, p in published if p.startswith("/api/widget/")}
    covered = {(r.method, r.path) for r in ROWS}
    channel = {(m, p) for m, p in published if p.startswith("/api/channels/")} - covered
    assert sorted(published - widget - channel - covered) == [], "endpoints without a row in ROWS"
    assert sorted(covered - published) == [], "rows for endpoints the server does not have"
    assert widget == WIDGET_ROUTES, "widget endpoints changed: update the widget cases"
    assert channel == CHANNEL_ROUTES, "channel endpoints changed: cover them in tests/channels"


def test_every_endpoint_answers_each_actor_by_the_rules(desk: Desk) -> None:
    w = World(desk)
    failures = run_table(w, actors_of(w))
    assert not failures, "\n" + "\n".join(failures)


def test_cookie_requests_need_csrf_token_but_api_tokens_do_not(desk: Desk) -> None:
    w = World(desk)
    both = cookie_actor("both", w.both)
    waiting = w.target("a_unassigned")
    unsafe = [r for r in ROWS if r.method not in ("GET", "HEAD") and r.path != "/api/auth/login"]
    failures: list[str] = []
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        for row in unsafe:
            for header in (None, "wrong-token", ""):
                headers = both.headers_for(row.method, with_csrf=False)
                if header is not None:
                    headers["X-CSRF-Token"] = header
                r = send(http, row, row.prepare(w), headers)
                failure = check(row, f"both csrf={header!r}", r, (403, "csrf_failed"))
                if failure:
                    failures.append(failure)
        # Safe methods need no CSRF token.
        r = http.get("/api/me", headers=both.headers_for("GET"))
        assert r.status_code == 200, r.text
    assert not failures, "\n" + "\n".join(failures)
    # Nothing the refused requests asked for happened.
    s = w.sup.get(f"/api/sessions/{waiting.session_id}")
    assert s["status"] == "unassigned" and s["assignee"] is None
    items = w.sup.get(f"/api/sessions/{waiting.session_id}/messages")["items"]
    assert [m["text"] for m in items] == ["probe message"]

    # A personal API token: no cookie, no CSRF header, and unsafe requests work.
    token = token_of(w.op)
    bearer = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        assert http.get("/api/me", headers=bearer).json()["id"] == w.op.id
        r = http.put("/api/me/status", json={"status": "away"}, headers=bearer)
        assert r.status_code == 200 and r.json()["status"] == "away", r.text
        r = http.put("/api/me/status", json={"status": "online"}, headers=bearer)
        assert r.status_code == 200, r.text
        r = http.post(f"/api/sessions/{waiting.session_id}/take", headers=bearer)
        assert r.status_code == 200 and r.json()["assignee"]["id"] == w.op.id, r.text
        r = http.post(
            f"/api/sessions/{waiting.session_id}/messages", json={"text": "hi"}, headers=bearer
        )
        assert r.status_code == 201, r.text
        # A bearer token and nothing else: a wrong one is refused, whatever else is sent.
        for bad in ("nope", token + "x"):
            r = http.get("/api/me", headers={"Authorization": f"Bearer {bad}"})
            assert (r.status_code, r.json()["error"]["code"]) == (401, "invalid_token")
        # Tokens of deactivated users stop working.
        w.admin.patch(f"/api/users/{w.op.id}", {"is_active": False})
        r = http.get("/api/me", headers=bearer)
        assert (r.status_code, r.json()["error"]["code"]) == (401, "invalid_token")


def test_logout_ends_the_cookie_session(desk: Desk) -> None:
    op = desk.user()
    actor = cookie_actor("op", op)
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        r = http.post("/api/auth/logout", headers=actor.headers_for("POST"))
        assert r.status_code == 204, r.text
        http.cookies.clear()
        r = http.get("/api/me", headers=actor.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (401, "not_authenticated")


# --------------------------------------------------------------------------- widget


def test_widget_endpoints_take_only_their_own_visitors(desk: Desk) -> None:
    op = desk.user()
    chat_a = desk.livechat("Widget A", operators=[op])
    chat_b = desk.livechat("Widget B", operators=[op])
    va, vb = desk.visitor(chat_a, "Anna"), desk.visitor(chat_b, "Boris")
    va.say("from anna")
    vb.say("from boris")
    ka, kb = chat_a["widget_key"], chat_b["widget_key"]
    user_cookie = cookie_actor("op", op)
    user_token = {"Authorization": f"Bearer {token_of(op)}"}

    def call(method: str, path: str, headers: dict[str, str], **kw: Any) -> httpx.Response:
        with httpx.Client(base_url=desk.base, timeout=30) as http:
            return http.request(method, path, headers=headers, **kw)

    def code(r: httpx.Response) -> tuple[int, str]:
        assert error_shape_problem(r) is None, r.text
        return r.status_code, str(r.json()["error"]["code"])

    # Public: the config and new visitors; an unknown key is a 404.
    assert call("GET", f"/api/widget/{ka}/config", {}).status_code == 200
    assert code(call("GET", "/api/widget/nope/config", {})) == (404, "not_found")
    assert code(call("POST", "/api/widget/nope/visitors", {}, json={})) == (404, "not_found")
    r = call("POST", f"/api/widget/{ka}/visitors", {}, json={"name": "Carl"})
    assert r.status_code == 201, r.text

    for method, body in (("GET", None), ("POST", {"text": "hi"})):
        path = f"/api/widget/{ka}/messages"
        # No visitor token: neither anonymous nor a user's cookie or API token will do.
        assert code(call(method, path, {}, json=body)) == (401, "visitor_token_required")
        headers = user_cookie.headers_for(method)
        assert code(call(method, path, headers, json=body)) == (401, "visitor_token_required")
        assert code(call(method, path, user_token, json=body)) == (401, "visitor_token_required")
        # Another widget's visitor, a made-up token, a user's API token given as a visitor's.
        for token in (vb.token, "made-up", user_token["Authorization"].split()[1]):
            headers = {"Authorization": f"Visitor {token}"}
            assert code(call(method, path, headers, json=body)) == (401, "invalid_visitor_token")
        # An unknown key with a good token: 404 (or 401), never the history.
        headers = {"Authorization": f"Visitor {va.token}"}
        r = call(method, f"/api/widget/nope{ka}/messages", headers, json=body)
        assert r.status_code in (401, 404) and error_shape_problem(r) is None, r.text
    # A visitor's token is good at its own widget only.
    headers = {"Authorization": f"Visitor {va.token}"}
    r = call("POST", f"/api/widget/{kb}/messages", headers, json={"text": "hi"})
    assert code(r) == (401, "invalid_visitor_token")
    # Each visitor's history holds their own messages only.
    assert [m["text"] for m in va.history()] == ["from anna"]
    assert [m["text"] for m in vb.history()] == ["from boris"]

    # The widget's socket takes only a visitor token of that widget.
    base = ws_base(desk.base)
    for query in ({}, {"visitor_token": vb.token}, {"visitor_token": "made-up"}):
        assert ws_refused(f"{base}/api/widget/{ka}/events?{urlencode(query)}")
    with connect(f"{base}/api/widget/{ka}/events?visitor_token={va.token}", open_timeout=10):
        pass


# --------------------------------------------------------------------------- websocket


def ws_base(http_base: str) -> str:
    return "ws" + http_base.removeprefix("http")


def ws_refused(url: str, headers: dict[str, str] | None = None) -> bool:
    try:
        with connect(url, additional_headers=headers, open_timeout=10) as ws:
            # Accepted: the server may still close at once; refused means no frame ever.
            try:
                ws.recv(timeout=1)
            except TimeoutError:
                return False
            except Exception:
                return True
            return False
    except InvalidStatus as exc:
        return exc.response.status_code in (401, 403)


@contextmanager
def user_socket(base: str, actor: Actor) -> Iterator[ClientConnection]:
    with connect(
        f"{ws_base(base)}/api/events", additional_headers=actor.headers, open_timeout=10
    ) as ws:
        ws.send(json.dumps({"since": 0}))
        yield ws


def drain(ws: ClientConnection, quiet: float = 0.5) -> list[str]:
    """Every frame until the socket stays quiet for ``quiet`` seconds."""
    frames = []
    while True:
        try:
            frame = ws.recv(timeout=quiet)
        except TimeoutError:
            return frames
        frames.append(str(frame))


def wait_for(ws: ClientConnection, needle: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            frame = str(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        except TimeoutError:
            break
        if needle in frame:
            return frame
    raise AssertionError(f"no frame with {needle!r} within {timeout}s")


def assert_silent(ws: ClientConnection, who: str, seconds: float = 1.0) -> None:
    try:
        frame = ws.recv(timeout=seconds)
    except TimeoutError:
        return
    raise AssertionError(f"{who} got a frame it must not see: {frame!r}")


def test_events_socket_refuses_anyone_but_users(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat)
    url = f"{ws_base(desk.base)}/api/events"
    assert ws_refused(url)
    assert ws_refused(f"{url}?token=made-up")
    assert ws_refused(f"{url}?token={visitor.token}")
    assert ws_refused(url, {"Authorization": f"Visitor {visitor.token}"})
    assert ws_refused(url, {"Cookie": f"{SESSION_COOKIE}=made-up"})
    # A cookie sent from another site's page (cross-site WebSocket hijacking) is refused too.
    actor = cookie_actor("op", op)
    assert ws_refused(url, {**actor.headers, "Origin": "https://evil.example"})
    with connect(url, additional_headers=actor.headers, open_timeout=10):
        pass
    with connect(f"{url}?token={token_of(op)}", open_timeout=10):
        pass


def test_events_of_a_live_chat_reach_only_those_who_may_see_them(desk: Desk) -> None:
    op, outsider = desk.user(), desk.user()
    chat_a = desk.livechat("A", operators=[op])
    chat_b = desk.livechat("B", operators=[outsider], supervisors=[outsider])
    desk.visitor(chat_b).say("in B")
    mark = uuid.uuid4().hex[:12]
    customer = desk.visitor(chat_a, f"Secret Customer {mark}")
    first = customer.say(f"before-{mark}")
    with ExitStack() as stack:
        member = stack.enter_context(user_socket(desk.base, cookie_actor("op", op)))
        outsiders = {
            "outsider": stack.enter_context(
                user_socket(desk.base, cookie_actor("outsider", outsider))
            ),
            "admin": stack.enter_context(user_socket(desk.base, cookie_actor("admin", desk.admin))),
        }
        # The replay from 0 gives the member the earlier message, the others nothing of it.
        assert any(f"before-{mark}" in f for f in drain(member))
        for who, ws in outsiders.items():
            replay = drain(ws)
            leaked = [f for f in replay if mark in f or f'"session_id":{first["session_id"]}' in f]
            assert not leaked, f"{who} replay leaks chat A: {leaked}"
        customer.say(f"after-{mark}")
        wait_for(member, f"after-{mark}")
        for who, ws in outsiders.items():
            assert_silent(ws, who)


def test_operator_gets_no_events_of_another_operators_session(desk: Desk) -> None:
    op, op2, sup = desk.user(), desk.user(), desk.user()
    chat = desk.livechat(operators=[op, op2], supervisors=[sup])
    mark = uuid.uuid4().hex[:12]
    customer = desk.visitor(chat, f"Private {mark}")
    s = customer.say("hello")["session_id"]
    op2.post(f"/api/sessions/{s}/take")
    with (
        user_socket(desk.base, cookie_actor("op", op)) as op_ws,
        user_socket(desk.base, cookie_actor("sup", sup)) as sup_ws,
    ):
        drain(op_ws)
        drain(sup_ws)
        customer.say(f"private-{mark}")
        op2.post(f"/api/sessions/{s}/messages", {"text": f"reply-{mark}"}, expect=201)
        wait_for(sup_ws, f"private-{mark}")
        wait_for(sup_ws, f"reply-{mark}")
        assert_silent(op_ws, "op")
