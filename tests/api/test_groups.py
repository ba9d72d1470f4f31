"""The groups of the left menu per role, paging, and the assignment history in the dialog."""

from __future__ import annotations

from typing import Any

import pytest

from livedesk.lib import counters
from tests.client import Api, Desk


def _ids(api: Api, chat: dict[str, Any], group: str) -> set[int]:
    items = api.get(f"/api/sessions?livechat_id={chat['id']}&group={group}")["items"]
    assert all(s["livechat_id"] == chat["id"] for s in items)
    return {s["id"] for s in items}


def _groups(api: Api, chat: dict[str, Any], groups: tuple[str, ...]) -> dict[str, set[int]]:
    return {g: _ids(api, chat, g) for g in groups}


def _status(api: Api, chat: dict[str, Any], group: str) -> int:
    r = api.http.get(f"/api/sessions?livechat_id={chat['id']}&group={group}")
    return r.status_code


def test_groups_per_role(desk: Desk) -> None:
    op = desk.user("Olga")
    other = desk.user("Oleg")
    sup = desk.user("Sveta")
    both = desk.user("Boris")
    stranger = desk.user("Stan")
    chat = desk.livechat(operators=[op, other, both], supervisors=[sup, both])
    desk.livechat("Elsewhere", operators=[stranger], supervisors=[stranger])

    def new_session() -> int:
        return int(desk.visitor(chat).say("hello")["session_id"])

    waiting = new_session()
    mine_op = new_session()
    mine_other = new_session()
    mine_both = new_session()
    closed_op = new_session()
    closed_other = new_session()
    handed = new_session()  # op takes it, then hands it to other
    op.post(f"/api/sessions/{mine_op}/take")
    other.post(f"/api/sessions/{mine_other}/take")
    both.post(f"/api/sessions/{mine_both}/take")
    op.post(f"/api/sessions/{closed_op}/take")
    op.post(f"/api/sessions/{closed_op}/close")
    other.post(f"/api/sessions/{closed_other}/take")
    sup.post(f"/api/sessions/{closed_other}/close")
    op.post(f"/api/sessions/{handed}/take")
    op.post(f"/api/sessions/{handed}/assign", {"operator_id": other.id})

    active = {mine_op, mine_other, mine_both, handed}
    closed = {closed_op, closed_other}
    assert _groups(op, chat, ("mine", "unassigned", "closed")) == {
        "mine": {mine_op},
        "unassigned": {waiting},
        "closed": {closed_op},
    }
    assert _groups(other, chat, ("mine", "unassigned", "closed")) == {
        "mine": {mine_other, handed},
        "unassigned": {waiting},
        "closed": {closed_other},
    }
    assert _groups(sup, chat, ("unassigned", "active", "closed")) == {
        "unassigned": {waiting},
        "active": active,
        "closed": closed,
    }
    assert _groups(both, chat, ("mine", "unassigned", "active", "closed")) == {
        "mine": {mine_both},
        "unassigned": {waiting},
        "active": active,
        "closed": closed,
    }
    # Groups a role does not have are not there.
    assert _status(op, chat, "active") == 404
    assert _status(other, chat, "active") == 404
    assert op.http.get("/api/sessions?group=active").status_code == 404
    assert _status(sup, chat, "mine") == 404
    # Someone else's live chat is not there at all.
    for group in ("mine", "unassigned", "active", "closed"):
        assert _status(stranger, chat, group) == 404
        items = stranger.get(f"/api/sessions?group={group}")["items"]
        assert items == []
    # Without livechat_id: the same groups across my live chats.
    assert {s["id"] for s in op.get("/api/sessions?group=mine")["items"]} == {mine_op}
    assert {s["id"] for s in sup.get("/api/sessions?group=active")["items"]} == active

    # Rows carry what the menu shows.
    row = op.get(f"/api/sessions?livechat_id={chat['id']}&group=unassigned")["items"][0]
    assert row["is_new"] is True and row["unread_count"] == 1 and row["status"] == "unassigned"
    assert row["channel_kind"] == "widget" and row["assignee"] is None
    assert row["last_message"]["text"] == "hello" and row["contact"]["id"]
    row = sup.get(f"/api/sessions?livechat_id={chat['id']}&group=active")["items"]
    assert all(r["is_new"] is False and r["assignee"] for r in row)
    by_id = {r["id"]: r for r in row}
    assert by_id[handed]["assignee"]["id"] == other.id
    # An operator sees only what the groups show them.
    op.get(f"/api/sessions/{mine_other}", expect=404)
    op.get(f"/api/sessions/{handed}", expect=404)
    op.get(f"/api/sessions/{closed_other}", expect=404)
    op.get(f"/api/sessions/{closed_op}")


def test_paging_returns_every_session_once(desk: Desk) -> None:
    op = desk.user()
    sup = desk.user()
    chat = desk.livechat(operators=[op], supervisors=[sup])
    total = 23
    sessions = [int(desk.visitor(chat).say(f"m{i}")["session_id"]) for i in range(total)]
    taken = sessions[::2]
    for sid in taken:
        op.post(f"/api/sessions/{sid}/take")
    closed = taken[::3]
    for sid in closed:
        op.post(f"/api/sessions/{sid}/close")
    expected = {
        "unassigned": [s for s in sessions if s not in taken],  # the queue: oldest first
        "mine": [s for s in taken if s not in closed],
        "closed": closed,
    }

    def walk(api: Api, group: str, limit: int) -> list[int]:
        seen: list[int] = []
        cursor = None
        for _ in range(total + 2):
            url = f"/api/sessions?livechat_id={chat['id']}&group={group}&limit={limit}"
            page = api.get(url + (f"&cursor={cursor}" if cursor else ""))
            assert len(page["items"]) <= limit
            seen += [s["id"] for s in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return seen
        raise AssertionError("paging does not end")

    for limit in (1, 2, 5, 50):
        for group, want in expected.items():
            got = walk(op, group, limit)
            assert len(got) == len(set(got)), (group, limit, got)
            assert sorted(got) == sorted(want), (group, limit)
        assert walk(op, "unassigned", limit) == expected["unassigned"]
        got = walk(sup, "active", limit)
        assert sorted(got) == sorted(expected["mine"]) and len(got) == len(set(got))
        got = walk(sup, "closed", limit)
        assert sorted(got) == sorted(closed)
    # Latest activity first outside the queue.
    op.post(f"/api/sessions/{expected['mine'][0]}/messages", {"text": "bump"}, expect=201)
    assert walk(op, "mine", 3)[0] == expected["mine"][0]
    r = op.http.get(f"/api/sessions?livechat_id={chat['id']}&group=mine&cursor=garbage")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"
    assert op.http.get("/api/sessions?group=mine&limit=0").status_code == 422


def _system_lines(api: Api, sid: int) -> list[dict[str, Any]]:
    items = api.get(f"/api/sessions/{sid}/messages")["items"]
    return [m for m in reversed(items) if m["author"]["kind"] == "system"]  # oldest first


def test_assignment_history_as_system_lines(desk: Desk) -> None:
    olga = desk.user("Olga")
    oleg = desk.user("Oleg")
    ivan = desk.user("Ivan Op")
    sveta = desk.user("Sveta")
    chat = desk.livechat(operators=[olga, oleg, ivan], supervisors=[sveta])
    visitor = desk.visitor(chat, "Customer")
    sid = visitor.say("hello")["session_id"]

    olga.post(f"/api/sessions/{sid}/take")
    olga.post(f"/api/sessions/{sid}/assign", {"operator_id": oleg.id})  # an operator hands over
    sveta.post(f"/api/sessions/{sid}/assign", {"operator_id": ivan.id})  # a supervisor reassigns
    ivan.post(f"/api/sessions/{sid}/close")

    lines = _system_lines(sveta, sid)
    assert [line["system"]["kind"] for line in lines] == ["taken", "assigned", "assigned", "closed"]
    taken, handed, reassigned, closed = lines
    assert "Olga" in taken["text"] and "took" in taken["text"]
    assert taken["system"]["to_user_id"] == olga.id and taken["system"]["from_user_id"] is None
    assert all(n in handed["text"] for n in ("Olga", "Oleg"))
    assert handed["system"]["actor_id"] == olga.id
    assert handed["system"]["from_user_id"] == olga.id
    assert handed["system"]["to_user_id"] == oleg.id
    assert all(n in reassigned["text"] for n in ("Sveta", "Oleg", "Ivan Op"))
    assert reassigned["system"]["actor_id"] == sveta.id
    assert reassigned["system"]["from_user_id"] == oleg.id
    assert reassigned["system"]["to_user_id"] == ivan.id
    assert "Ivan Op" in closed["text"] and "closed" in closed["text"]
    assert closed["system"]["actor_id"] == ivan.id
    # The names as they were, for clients that word these lines in their own language.
    assert taken["system"]["to_user_name"] == "Olga"
    names = ("actor_name", "from_user_name", "to_user_name")
    assert [handed["system"][k] for k in names] == ["Olga", "Olga", "Oleg"]
    assert [reassigned["system"][k] for k in names] == ["Sveta", "Oleg", "Ivan Op"]
    assert closed["system"]["actor_name"] == "Ivan Op"
    assert all(line["session_id"] == sid and line["created_at"] for line in lines)
    # The assignee who closed it sees the same history; lines never count as unread.
    assert [m["id"] for m in _system_lines(ivan, sid)] == [m["id"] for m in lines]
    closed_rows = ivan.get(f"/api/sessions?livechat_id={chat['id']}&group=closed")["items"]
    assert [r["id"] for r in closed_rows] == [sid]


def test_supervisor_assigns_unassigned_session_as_a_system_line(desk: Desk) -> None:
    op = desk.user("Olga")
    sup = desk.user("Sveta")
    chat = desk.livechat(operators=[op], supervisors=[sup])
    sid = desk.visitor(chat).say("hello")["session_id"]
    sup.post(f"/api/sessions/{sid}/assign", {"operator_id": op.id})
    lines = _system_lines(op, sid)
    assert len(lines) == 1
    assert lines[0]["system"]["kind"] == "assigned"
    assert lines[0]["system"]["from_user_id"] is None
    assert "Sveta" in lines[0]["text"] and "Olga" in lines[0]["text"]
    assert _ids(op, chat, "mine") == {sid}
    assert _ids(sup, chat, "unassigned") == set()


GROUPS = ("mine", "unassigned", "active", "closed")


def _sizes(api: Api, chat: dict[str, Any]) -> dict[str, int | None]:
    """The group sizes the left menu shows (GET /api/livechats)."""
    listed = next(c for c in api.get("/api/livechats") if c["id"] == chat["id"])
    sizes: dict[str, int | None] = listed["groups"]
    return sizes


def _check_sizes(users: dict[str, Api], chat: dict[str, Any], want: dict[str, str]) -> None:
    """``want``: per user, "mine unassigned active closed" with "-" for a group not theirs.
    Each size must also be the length of that group's list."""
    for name, api in users.items():
        expected = {
            g: None if n == "-" else int(n) for g, n in zip(GROUPS, want[name].split(), strict=True)
        }
        assert _sizes(api, chat) == expected, name
        for group, n in expected.items():
            if n is not None:
                assert len(_ids(api, chat, group)) == n, (name, group)


def test_group_sizes_per_role_follow_take_assign_and_close(desk: Desk) -> None:
    op = desk.user("Olga")
    other = desk.user("Oleg")
    sup = desk.user("Sveta")
    both = desk.user("Boris")
    chat = desk.livechat(operators=[op, other, both], supervisors=[sup, both])
    # Olga works in a second live chat too: its sessions never count in the first.
    elsewhere = desk.livechat("Elsewhere", operators=[op], supervisors=[sup])
    users = {"op": op, "other": other, "sup": sup, "both": both}

    def new_session(in_chat: dict[str, Any] = chat) -> int:
        return int(desk.visitor(in_chat).say("hello")["session_id"])

    def check(**want: str) -> None:
        _check_sizes(users, chat, want)

    check(op="0 0 - 0", other="0 0 - 0", sup="- 0 0 0", both="0 0 0 0")
    a, b, c = new_session(), new_session(), new_session()
    away = new_session(elsewhere)
    op.post(f"/api/sessions/{away}/take")
    check(op="0 3 - 0", other="0 3 - 0", sup="- 3 0 0", both="0 3 0 0")
    assert _sizes(op, elsewhere) == {"mine": 1, "unassigned": 0, "active": None, "closed": 0}
    assert _sizes(sup, elsewhere) == {"mine": None, "unassigned": 0, "active": 1, "closed": 0}

    op.post(f"/api/sessions/{a}/take")
    check(op="1 2 - 0", other="0 2 - 0", sup="- 2 1 0", both="0 2 1 0")
    sup.post(f"/api/sessions/{b}/assign", {"operator_id": other.id})
    check(op="1 1 - 0", other="1 1 - 0", sup="- 1 2 0", both="0 1 2 0")
    op.post(f"/api/sessions/{a}/assign", {"operator_id": other.id})  # an operator hands over
    check(op="0 1 - 0", other="2 1 - 0", sup="- 1 2 0", both="0 1 2 0")
    both.post(f"/api/sessions/{c}/take")
    check(op="0 0 - 0", other="2 0 - 0", sup="- 0 3 0", both="1 0 3 0")

    other.post(f"/api/sessions/{a}/close")  # the assignee closes: closed for them, not for Olga
    check(op="0 0 - 0", other="1 0 - 1", sup="- 0 2 1", both="1 0 2 1")
    sup.post(f"/api/sessions/{c}/close")  # a supervisor closes Boris's session
    check(op="0 0 - 0", other="1 0 - 1", sup="- 0 1 2", both="0 0 1 2")
    d = new_session()
    check(op="0 1 - 0", other="1 1 - 1", sup="- 1 1 2", both="0 1 1 2")
    sup.post(f"/api/sessions/{d}/close")  # closed while waiting: nobody's but the supervisors'
    check(op="0 0 - 0", other="1 0 - 1", sup="- 0 1 3", both="0 0 1 3")
    e = new_session()
    op.post(f"/api/sessions/{e}/take")
    op.post(f"/api/sessions/{e}/close")
    check(op="0 0 - 1", other="1 0 - 1", sup="- 0 1 4", both="0 0 1 4")
    assert _sizes(op, elsewhere) == {"mine": 1, "unassigned": 0, "active": None, "closed": 0}

    # An admin who belongs to no live chat lists them all, with no group sizes.
    listed = {lc["id"]: lc for lc in desk.admin.get("/api/livechats")}
    assert listed[chat["id"]]["groups"] is None and listed[chat["id"]]["roles"] == []


def test_closed_sizes_stop_at_the_cap(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closed groups only grow, so their size is counted up to a cap (999+ in the menu)."""
    monkeypatch.setattr(counters, "CLOSED_COUNT_CAP", 2)  # the server runs in this process
    op = desk.user()
    sup = desk.user()
    chat = desk.livechat(operators=[op], supervisors=[sup])
    second = desk.livechat("Second", operators=[op], supervisors=[op])
    for in_chat in (chat, chat, chat, second):
        sid = desk.visitor(in_chat).say("hello")["session_id"]
        op.post(f"/api/sessions/{sid}/take")
        op.post(f"/api/sessions/{sid}/close")
    assert _sizes(sup, chat)["closed"] == 2
    assert _sizes(op, chat)["closed"] == 2
    assert _sizes(op, second)["closed"] == 1
    assert len(_ids(sup, chat, "closed")) == 3  # the list itself holds them all
