"""Who hears a new customer: operators online or away; offline operators do not."""

from __future__ import annotations

from tests.client import Desk
from tests.realtime import EventSocket


def test_away_operators_get_alerts_and_offline_ones_do_not(desk: Desk) -> None:
    online = desk.user("Online")
    away = desk.user("Away")
    offline = desk.user("Offline", status="offline")
    away.put("/api/me/status", {"status": "away"})
    chat = desk.livechat(operators=[online, away, offline])
    with (
        EventSocket.user(online, since=0) as ws_on,
        EventSocket.user(away, since=0) as ws_away,
        EventSocket.user(offline, since=0) as ws_off,
    ):
        sid = desk.visitor(chat).say("anyone there?")["session_id"]
        assert ws_on.until("alert", session_id=sid)["data"]["preview"] == "anyone there?"
        assert ws_away.until("alert", session_id=sid)["data"]["new_session"] is True
        # The offline operator's counters move, but no alert comes before or after them.
        ws_off.until("counters", blue=1)
        ws_off.until("message.created")
        for _ in range(50):  # everything else that comes within half a second
            if ws_off.recv(0.5) is None:
                break
        assert "alert" not in [f["type"] for f in ws_off.frames]
