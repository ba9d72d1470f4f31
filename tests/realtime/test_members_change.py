"""Who hears about a chat follows its members at once: the node's members cache is dropped
by the membership change, not left to expire."""

from __future__ import annotations

from livedesk.lib.members import ChatMembers
from livedesk.realtime.envelope import Envelope
from livedesk.realtime.members_cache import MembersCache
from tests.client import Desk
from tests.realtime import EventSocket


def test_an_operator_added_or_removed_hears_accordingly_from_the_next_message(
    desk: Desk,
) -> None:
    first = desk.user("First")
    joining = desk.user("Joining")
    chat = desk.livechat(operators=[first])
    visitor = desk.visitor(chat)
    visitor.say("before")  # the chat's members are read (and kept) here
    assert joining.get("/api/counters")["livechats"] == {}  # and the user's roles here
    with EventSocket.user(joining, since=None) as ws:
        desk.admin.put(
            f"/api/livechats/{chat['id']}/members",
            {"operators": [first.id, joining.id], "supervisors": []},
        )
        ws.until("membership.changed")
        assert joining.get("/api/counters")["blue"] == 1
        sid = desk.visitor(chat).say("after joining")["session_id"]
        assert ws.until("session.created")["data"]["session"]["id"] == sid
        assert ws.until("message.created")["data"]["message"]["text"] == "after joining"
    with EventSocket.user(joining, since=None) as ws:
        desk.admin.put(
            f"/api/livechats/{chat['id']}/members",
            {"operators": [first.id], "supervisors": []},
        )
        ws.until("membership.changed")
        assert joining.get("/api/counters")["livechats"] == {}
        desk.visitor(chat).say("after leaving")
        desk.visitor(chat).say("and again")
        for _ in range(20):
            if ws.recv(0.25) is None:
                break
        assert [f["type"] for f in ws.frames if f["type"].startswith("session")] == []


def test_a_read_that_straddles_a_change_is_not_kept() -> None:
    cache = MembersCache()
    members = ChatMembers(7, frozenset({1}), frozenset())
    generation = cache.generation  # a read starts...
    cache.observe([Envelope(5, "membership.changed", {"livechat_id": 7}, ("user:1",))])
    cache.put("chat", 7, members, generation)  # ...and ends after the change: it may predate it
    assert cache.get("chat", 7) is None
    cache.put("chat", 7, members, cache.generation)
    assert cache.get("chat", 7) == members
    cache.observe([Envelope(6, "message.created", {"livechat_id": 7}, ("user:1",))])
    assert cache.get("chat", 7) == members
    cache.put("user", 1, "roles of user 1", cache.generation)
    cache.observe([Envelope(7, "membership.changed", {"livechat_id": 8}, ("user:2",))])
    assert cache.get("user", 1) is None  # any change may move anyone's roles
    assert cache.get("chat", 7) == members  # another chat's members stay
    cache.forget()  # the bus lost events
    assert cache.get("chat", 7) is None
    expiring = MembersCache(ttl=0)
    expiring.put("chat", 7, members, expiring.generation)
    assert expiring.get("chat", 7) is None
