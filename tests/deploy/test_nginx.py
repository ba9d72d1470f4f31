"""Two livedesk nodes behind nginx (Debian's package), on one PostgreSQL database and one
Redis channel, as docs/operations.md describes: a whole conversation through nginx with
the operator on one node and the customer on the other, and a socket that resumes on the
other node.

How requests are pinned: nginx serves three sites, each a server block on a port of its
own whose body is the snippet documented in docs/operations.md (see tests/deploy/nginx.py).
Site "a" proxies to node A only and carries every operator request and the operator's
event socket; site "b" proxies to node B only and carries the customer's widget requests
and widget socket; site "rr" proxies to both, round robin, as production does. Every event
of the conversation thus crosses from one node to the other. Each answer names the node
that served it in a test-only header, which shows where a socket landed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from livedesk.config import Settings
from tests.client import Api, Desk, Visitor, seed_admin
from tests.databases import fresh_database, redis_url
from tests.deploy.children import Node, livedesk_nodes, node_env
from tests.deploy.nginx import UPSTREAM_HEADER, Site, running_nginx
from tests.deploy.people import (
    admin_desk,
    customer,
    logged_ids,
    message_ids,
    operator_socket,
    widget_socket,
)
from tests.realtime import EventSocket

pytestmark = pytest.mark.multinode

# Above nginx's default client_max_body_size (1 MiB): passes only with the documented one.
ATTACHMENT_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # LIVEDESK_MAX_UPLOAD_BYTES' default
RECONNECT_TRIES = 4


@dataclass(frozen=True)
class Deployment:
    node_a: Node
    node_b: Node
    a: Site  # node A only
    b: Site  # node B only
    rr: Site  # both, round robin


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """One deployment for the module (starting it is the slow part); each test builds a
    live chat and people of its own in it."""
    redis = redis_url()
    tmp_path = tmp_path_factory.mktemp("deploy")
    with fresh_database("postgres", tmp_path) as url:
        seed_admin(Settings(database_url=url, data_dir=tmp_path, _env_file=None))  # type: ignore[call-arg]
        env = node_env(url, redis, tmp_path / "shared-files")
        with livedesk_nodes(["node-a", "node-b"], env, tmp_path) as (node_a, node_b):
            a, b = Site("a", (node_a.port,)), Site("b", (node_b.port,))
            rr = Site("rr", (node_a.port, node_b.port))
            with running_nginx(tmp_path / "nginx", [a, b, rr]):
                yield Deployment(node_a, node_b, a, b, rr)


@pytest.fixture
def desk(deployment: Deployment) -> Iterator[Desk]:
    """The administrator and the operators work through site "a" (node A)."""
    with admin_desk(deployment.a.url) as world:
        yield world


def served_by(sock: EventSocket) -> str:
    """The node ("127.0.0.1:<port>") that nginx handed this socket to."""
    response = sock.conn.response
    assert response is not None
    return str(response.headers[UPSTREAM_HEADER])


def upload(v: Visitor, name: str, data: bytes) -> httpx.Response:
    with httpx.Client(base_url=v.base, timeout=30) as http:
        return http.post(
            f"/api/widget/{v.widget_key}/files",
            params={"name": name},
            content=data,
            headers={
                "Authorization": f"Visitor {v.token}",
                "Content-Type": "application/octet-stream",
            },
        )


def say_with_file(v: Visitor, text: str, file_id: int) -> dict[str, Any]:
    with httpx.Client(base_url=v.base, timeout=30) as http:
        r = http.post(
            f"/api/widget/{v.widget_key}/messages",
            json={"text": text, "attachments": [file_id]},
            headers={"Authorization": f"Visitor {v.token}"},
        )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_whole_conversation_through_nginx_with_operator_and_customer_on_different_nodes(
    deployment: Deployment, desk: Desk
) -> None:
    op = desk.user("Olga")
    chat = desk.livechat(operators=[op])
    ivan = customer(deployment.b.url, chat, "Ivan")
    with operator_socket(op) as workspace, widget_socket(ivan) as widget:
        assert served_by(workspace) == f"127.0.0.1:{deployment.node_a.port}"
        assert served_by(widget) == f"127.0.0.1:{deployment.node_b.port}"

        hello = ivan.say("Hello, is anyone there?")
        sid = hello["session_id"]
        alert = workspace.until("alert", session_id=sid)
        assert alert["data"]["new_session"] is True
        assert alert["data"]["name"] == "Ivan"
        assert alert["data"]["preview"] == "Hello, is anyone there?"
        workspace.until("message.created", message__id=hello["id"])

        op.post(f"/api/sessions/{sid}/take")
        reply = op.post(f"/api/sessions/{sid}/messages", {"text": "Hi Ivan, Olga here."}, 201)
        got = widget.until("message.created", message__id=reply["id"])
        assert got["data"]["message"]["text"] == "Hi Ivan, Olga here."
        assert got["data"]["message"]["author"]["kind"] == "operator"

        # An attachment uploaded through node B is downloaded through node A: the files
        # directory is shared, and nginx lets a 2 MiB body through.
        data = os.urandom(ATTACHMENT_BYTES)
        stored = upload(ivan, "invoice.bin", data)
        assert stored.status_code == 201, stored.text
        with_file = say_with_file(ivan, "Here is the invoice", stored.json()["id"])
        seen = workspace.until("message.created", message__id=with_file["id"])
        link = seen["data"]["message"]["attachments"][0]["url"]
        assert op.http.get(link).content == data

        op.post(f"/api/sessions/{sid}/close")
        widget.until("session.closed", session_id=sid)

        again = ivan.say("One more question, sorry")
        assert again["session_id"] != sid
        alert = workspace.until("alert", session_id=again["session_id"])
        assert alert["data"]["new_session"] is True
        workspace.until("message.created", message__id=again["id"])
        widget.until("message.created", message__id=again["id"])

    assert op.get(f"/api/sessions/{sid}")["status"] == "closed"
    assert op.get(f"/api/sessions/{again['session_id']}")["status"] == "unassigned"
    # Each stored message (the system lines of the take and the close included) reached the
    # workspace once, in order; the customer got what was said, once, in order.
    history = op.get(f"/api/sessions/{again['session_id']}/messages")["items"]
    assert message_ids(workspace) == [m["id"] for m in reversed(history)]
    said = [hello["id"], reply["id"], with_file["id"], again["id"]]
    assert [i for i in message_ids(widget) if i in said] == said
    assert len(set(message_ids(widget))) == len(message_ids(widget))


def test_upload_over_the_limit_gets_livedesks_own_answer_through_nginx(
    deployment: Deployment, desk: Desk
) -> None:
    chat = desk.livechat(operators=[desk.user()])
    ivan = customer(deployment.b.url, chat, "Ivan")
    refused = upload(ivan, "huge.bin", b"\0" * (MAX_UPLOAD_BYTES + 1))
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "file_too_large"


def test_metrics_stay_on_the_nodes(deployment: Deployment) -> None:
    assert httpx.get(f"{deployment.rr.url}/metrics").status_code == 404
    direct = httpx.get(f"{deployment.node_a.url}/metrics")
    assert direct.status_code == 200
    assert "livedesk_websockets" in direct.text


def test_socket_through_round_robin_resumes_on_the_other_node_with_since(
    deployment: Deployment, desk: Desk
) -> None:
    olga = desk.user("Olga")
    chat = desk.livechat(operators=[olga])
    op = Api(deployment.rr.url).login(olga.user["email"], "pass1234")
    ivan = customer(deployment.b.url, chat, "Ivan")
    try:
        hello = ivan.say("hello")
        with operator_socket(op) as first:
            first.until("message.created", message__id=hello["id"])
            first_node = served_by(first)
        missed = ivan.say("are you still there?")
        second = _reconnect_elsewhere(op, first.last_id, first_node)
        with second:
            second.until("message.created", message__id=missed["id"])
            live = ivan.say("ok, I will wait")
            second.until("message.created", message__id=live["id"])
            second.drain()
    finally:
        op.close()
    assert message_ids(second) == [missed["id"], live["id"]]
    ids = logged_ids(second)
    assert ids == sorted(set(ids)) and min(ids) > first.last_id


def _reconnect_elsewhere(op: Api, since: int, not_on: str) -> EventSocket:
    """Reconnect through the round-robin site until nginx picks the other node."""
    for _ in range(RECONNECT_TRIES):
        sock = operator_socket(op, since=since)
        if served_by(sock) != not_on:
            return sock
        sock.close()
    raise AssertionError(f"round robin never left {not_on} in {RECONNECT_TRIES} connections")
