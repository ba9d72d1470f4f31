"""HTTP helpers for tests: a logged-in API client and a builder for live chats and people."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from livedesk.actions.auth import do_create_admin
from livedesk.config import Settings
from livedesk.realtime.runtime import Runtime

ADMIN_EMAIL = "admin@test.local"
ADMIN_PASSWORD = "admin-pass"
_seq = itertools.count(1)


def seed_admin(settings: Settings) -> None:
    async def run() -> None:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.tx() as db:
                await do_create_admin(db, ADMIN_EMAIL, ADMIN_PASSWORD, "Admin")
        finally:
            await rt.engine.dispose()

    asyncio.run(run())


class ApiError(AssertionError):
    pass


@dataclass
class Api:
    """A user's (or an anonymous) session against the server: cookie + CSRF, like the UI."""

    base: str
    user: dict[str, Any] = field(default_factory=dict)
    csrf: str = ""
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base, timeout=30)

    def login(self, email: str, password: str) -> Api:
        r = self.http.post("/api/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        self.user = r.json()
        self.csrf = self.user["csrf_token"]
        return self

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def request(self, method: str, path: str, expect: int | None = 200, **kw: Any) -> Any:
        headers = kw.pop("headers", {})
        if self.csrf and method not in ("GET", "HEAD"):
            headers.setdefault("X-CSRF-Token", self.csrf)
        r = self.http.request(method, path, headers=headers, **kw)
        if expect is not None and r.status_code != expect:
            raise ApiError(f"{method} {path}: {r.status_code} (wanted {expect}): {r.text}")
        if r.status_code == 204 or not r.content:
            return None
        return r.json()

    def get(self, path: str, expect: int | None = 200, **kw: Any) -> Any:
        return self.request("GET", path, expect, **kw)

    def post(self, path: str, json: Any = None, expect: int | None = 200, **kw: Any) -> Any:
        return self.request("POST", path, expect, json=json, **kw)

    def put(self, path: str, json: Any = None, expect: int | None = 200, **kw: Any) -> Any:
        return self.request("PUT", path, expect, json=json, **kw)

    def patch(self, path: str, json: Any = None, expect: int | None = 200, **kw: Any) -> Any:
        return self.request("PATCH", path, expect, json=json, **kw)

    def close(self) -> None:
        self.http.close()


@dataclass
class Visitor:
    """A widget customer."""

    base: str
    widget_key: str
    token: str
    contact_id: int

    def _http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30)

    def say(self, text: str) -> dict[str, Any]:
        with self._http() as http:
            r = http.post(
                f"/api/widget/{self.widget_key}/messages",
                json={"text": text},
                headers={"Authorization": f"Visitor {self.token}"},
            )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def history(self) -> list[dict[str, Any]]:
        with self._http() as http:
            r = http.get(
                f"/api/widget/{self.widget_key}/messages",
                headers={"Authorization": f"Visitor {self.token}"},
            )
        assert r.status_code == 200, r.text
        return list(r.json())


@dataclass
class Desk:
    """Builds the world a test needs through the admin API."""

    base: str
    admin: Api
    clients: list[Api] = field(default_factory=list)

    def close(self) -> None:
        for api in self.clients:
            api.close()

    def user(
        self, name: str | None = None, *, status: str = "online", is_admin: bool = False
    ) -> Api:
        n = next(_seq)
        name = name or f"User {n}"
        email = f"user{n}-{id(self)}@test.local"
        self.admin.post(
            "/api/users",
            {"email": email, "name": name, "password": "pass1234", "is_admin": is_admin},
            expect=201,
        )
        api = Api(self.base).login(email, "pass1234")
        self.clients.append(api)
        if status != "offline":
            api.put("/api/me/status", {"status": status})
        return api

    def livechat(
        self,
        name: str = "Support",
        operators: list[Api] = (),
        supervisors: list[Api] = (),  # type: ignore[assignment]
    ) -> dict[str, Any]:
        chat = self.admin.post("/api/livechats", {"name": name}, expect=201)
        self.admin.put(
            f"/api/livechats/{chat['id']}/members",
            {"operators": [u.id for u in operators], "supervisors": [u.id for u in supervisors]},
        )
        channel = self.admin.post(
            f"/api/livechats/{chat['id']}/channels", {"kind": "widget"}, expect=201
        )
        chat["widget_key"] = channel["widget_key"]
        return dict(chat)

    def visitor(self, chat: dict[str, Any], name: str | None = None) -> Visitor:
        body = {"name": name} if name else {}
        with httpx.Client(base_url=self.base, timeout=30) as http:
            r = http.post(f"/api/widget/{chat['widget_key']}/visitors", json=body)
        assert r.status_code == 201, r.text
        data = r.json()
        return Visitor(self.base, chat["widget_key"], data["visitor_token"], data["contact_id"])
