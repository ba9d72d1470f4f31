"""Redis stops for a few seconds mid-conversation: nothing accepted is lost, and delivery
resumes by itself (docs/operations.md, "When Redis is down").

Two ``livedesk serve`` nodes on one PostgreSQL database share a Redis of the test's own on
a spare port (never the machine's shared one): the operator's socket is on node A, the
customer writes through node B and listens on B. The test kills that Redis, keeps both
sides writing, and starts Redis again on the same port. Runs when the PostgreSQL and the
Redis tests do (both variables set).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from livedesk.config import Settings
from tests.client import Desk, seed_admin
from tests.databases import fresh_database, redis_url
from tests.deploy.children import Node, RedisChild, livedesk_nodes, node_env, redis_child
from tests.deploy.people import (
    admin_desk,
    customer,
    logged_ids,
    message_ids,
    operator_socket,
    widget_socket,
)

pytestmark = pytest.mark.multinode

OUTAGE_POSTS = 6
OUTAGE_POST_GAP_SECS = 0.5  # the posts span a few seconds of outage
RECOVERY_SECS = 30.0  # a generous bound on "by itself": a retry comes within 5 s


@dataclass(frozen=True)
class OutageDesk:
    redis: RedisChild
    node_a: Node
    node_b: Node


@pytest.fixture
def outage_desk(tmp_path: Path) -> Iterator[OutageDesk]:
    redis_url()  # the Redis tests are on; this one brings its own Redis
    with fresh_database("postgres", tmp_path) as url:
        seed_admin(Settings(database_url=url, data_dir=tmp_path, _env_file=None))  # type: ignore[call-arg]
        with redis_child(tmp_path) as redis:
            env = node_env(url, redis.url, tmp_path / "shared-files")
            with livedesk_nodes(["node-a", "node-b"], env, tmp_path) as (node_a, node_b):
                yield OutageDesk(redis, node_a, node_b)


def _ready(node: Node) -> int:
    return httpx.get(f"{node.url}/readyz", timeout=30).status_code


@pytest.fixture
def desk(outage_desk: OutageDesk) -> Iterator[Desk]:
    """The administrator and the operator work on node A."""
    with admin_desk(outage_desk.node_a.url) as world:
        yield world


def test_redis_outage_loses_nothing_accepted_and_delivery_resumes_by_itself(
    outage_desk: OutageDesk, desk: Desk
) -> None:
    node_a, node_b, redis = outage_desk.node_a, outage_desk.node_b, outage_desk.redis
    op = desk.user("Olga")
    ivan = customer(node_b.url, desk.livechat(operators=[op]), "Ivan")
    with (
        operator_socket(op) as desk_sock,
        widget_socket(ivan) as widget,
    ):
        before = ivan.say("before the outage")
        sid = before["session_id"]
        desk_sock.until("message.created", message__id=before["id"])
        op.post(f"/api/sessions/{sid}/take")

        redis.kill()
        during = []
        for n in range(OUTAGE_POSTS):
            during.append(ivan.say(f"during the outage #{n}"))  # answered 201, or it fails
            time.sleep(OUTAGE_POST_GAP_SECS)
        reply = op.post(f"/api/sessions/{sid}/messages", {"text": "Still here!"}, 201)
        stored = {m["id"] for m in ivan.history()}
        assert _ready(node_a) == _ready(node_b) == 503, "/readyz tells the bus is down"

        redis.start()  # on the same port; the clients do nothing
        for m in [*during, reply]:
            desk_sock.until("message.created", RECOVERY_SECS, message__id=m["id"])
        widget.until("message.created", RECOVERY_SECS, message__id=reply["id"])

        after = ivan.say("after the outage")
        desk_sock.until("message.created", message__id=after["id"])
        widget.until("message.created", message__id=after["id"])
        desk_sock.drain()
        widget.drain()
    assert _ready(node_a) == _ready(node_b) == 200

    accepted = [m["id"] for m in during]
    assert {*accepted, reply["id"]} <= stored, "durable while Redis was down"
    said = [before["id"], *accepted, reply["id"], after["id"]]
    for side in (desk_sock, widget):
        assert [i for i in message_ids(side) if i in said] == said
        ids = logged_ids(side)
        assert ids == sorted(set(ids)), "every event once, in order"
