"""The demo loader and the simulated customers, on both engines."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from livedesk.actions.demo import load_demo_if_empty, run_simulation
from livedesk.config import Settings
from livedesk.models import AuthorKind, ChatSession, Message, SessionStatus
from livedesk.realtime.runtime import Runtime
from tests.client import Api
from tests.server import running_server


def _load(settings: Settings) -> list[tuple[str, str, str]]:
    async def run() -> list[tuple[str, str, str]]:
        rt = Runtime.from_settings(settings)
        try:
            return await load_demo_if_empty(rt)
        finally:
            await rt.engine.dispose()

    return asyncio.run(run())


async def _customer_messages(rt: Runtime) -> int:
    async with rt.read() as db:
        query = (
            select(func.count())
            .select_from(Message)
            .where(Message.author_kind == AuthorKind.customer)
        )
        return int((await db.execute(query)).scalar_one())


def _logged_in(base: str, email: str, password: str) -> Api:
    return Api(base).login(email, password)


def test_demo_loads_a_workspace_into_an_empty_database(settings: Settings) -> None:
    logins = _load(settings)
    emails = [email for email, _, _ in logins]
    assert emails[0] == "admin@livedesk.local"
    assert {"anna@livedesk.local", "sam@livedesk.local", "max@livedesk.local"} <= set(emails)
    with running_server(settings) as base:
        anna = _logged_in(base, "anna@livedesk.local", "operator")
        try:
            me = anna.get("/api/me")
            assert {c["name"] for c in me["livechats"]} == {"Support", "Поддержка RU"}
            assert all(c["roles"] == ["operator"] for c in me["livechats"])
            assert me["status"] == "online"
            assert anna.get("/api/counters")["blue"] > 0
            for group in ("mine", "unassigned", "closed"):
                assert anna.get(f"/api/sessions?group={group}")["items"], group
        finally:
            anna.close()


def test_demo_roles_statuses_and_returning_customer(settings: Settings) -> None:
    _load(settings)
    with running_server(settings) as base:
        max_, sam, olga = (
            _logged_in(base, "max@livedesk.local", "operator"),
            _logged_in(base, "sam@livedesk.local", "supervisor"),
            _logged_in(base, "olga@livedesk.local", "operator"),
        )
        try:
            roles = {c["name"]: c["roles"] for c in max_.get("/api/me")["livechats"]}
            assert roles == {"Support": ["operator"], "Sales": ["supervisor"]}
            assert olga.get("/api/me")["status"] == "offline"
            assert sam.get("/api/counters")["red"] > 0
            assert sam.get("/api/sessions?group=active")["items"]
            unassigned = sam.get("/api/sessions?group=unassigned&limit=100")["items"]
            returning = [s for s in unassigned if s["name"] == "Oliver Smith"]
            assert len(returning) == 1
            history = sam.get(f"/api/sessions/{returning[0]['id']}/messages?limit=100")["items"]
            assert len({m["session_id"] for m in history}) == 2
        finally:
            for api in (max_, sam, olga):
                api.close()


def test_demo_loads_only_once(settings: Settings) -> None:
    assert _load(settings)
    assert _load(settings) == []


def test_simulation_writes_the_requested_number_of_customer_messages(settings: Settings) -> None:
    _load(settings)

    async def run() -> tuple[int, int, int]:
        rt = Runtime.from_settings(settings)
        await rt.start()
        try:
            before = await _customer_messages(rt)
            await asyncio.wait_for(run_simulation(rt, interval_secs=0.01, max_messages=3), 30)
            after = await _customer_messages(rt)
            async with rt.read() as db:
                open_sessions = (
                    await db.execute(
                        select(func.count())
                        .select_from(ChatSession)
                        .where(ChatSession.status != SessionStatus.closed)
                    )
                ).scalar_one()
            return before, after, int(open_sessions)
        finally:
            await rt.stop()

    before, after, open_sessions = asyncio.run(run())
    assert after - before == 3
    assert open_sessions > 0


def test_simulation_waits_without_demo_channels_and_stops_on_request(settings: Settings) -> None:
    async def run() -> None:
        rt = Runtime.from_settings(settings)
        try:
            stop = asyncio.Event()
            task = asyncio.create_task(run_simulation(rt, interval_secs=0.01, stop=stop))
            await asyncio.sleep(0.1)
            assert not task.done()
            stop.set()
            await asyncio.wait_for(task, 5)
            assert await _customer_messages(rt) == 0
        finally:
            await rt.engine.dispose()

    asyncio.run(run())
