"""The workspace's size budgets in a real browser: a session of 10,000 messages opens and
scrolls to its first message, a list of 5,000 sessions scrolls to its last one, and the
page keeps answering input all along.

The data are written straight into the database, in one transaction each (10,000 messages
through HTTP would take minutes). What a user notices is asserted; the timings are only
measured, printed and written to test-artifacts/budgets.json, never asserted.
"""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import CDPSession, Page, expect
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from livedesk.config import Settings
from livedesk.db.engine import create_engine
from livedesk.lib.textsearch import fold
from livedesk.models import (
    AuthorKind,
    Channel,
    ChatSession,
    Contact,
    ContactIdentity,
    Message,
    SessionStatus,
)
from livedesk.models.base import utcnow
from tests.browser import REPO
from tests.client import Api, Desk
from tests.e2e.conftest import WAIT_MS, NewPage
from tests.e2e.test_workspace import dialog, group_button, session_row, show_group, sign_in_as

pytestmark = pytest.mark.browser

DIALOG_MESSAGES = 10_000
LIST_SESSIONS = 5_000
BUDGETS_FILE = REPO / "test-artifacts" / "budgets.json"
#: One turn of the mouse wheel, in pixels (a quick flick rather than a single notch).
WHEEL_PX = 2_500
#: Enough wheel turns to cross either list several times over; only a stuck page uses them up.
MAX_WHEEL_TURNS = 3_000
MESSAGES = "section.dialog .messages"
MESSAGE_GAP = timedelta(seconds=30)

# Long tasks (main-thread work over 50 ms) from the very start of the page.
WATCH_LONG_TASKS = """
window.__longTasks = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
} catch (e) {}
"""

# performance.now() of the click on a session row, and of the first frame after the
# dialog's messages are in the page.
WATCH_DIALOG_RENDER = """
() => {
  window.__dialog = {};
  document.addEventListener("click", () => { window.__dialog.clickAt ??= performance.now(); },
    { capture: true, once: true });
  const seen = () => document.querySelector("section.dialog .messages [data-message-id]");
  const observer = new MutationObserver(() => {
    if (!seen()) return;
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { window.__dialog.shownAt = performance.now(); }));
  });
  observer.observe(document.body, { childList: true, subtree: true });
}
"""


# --- seeding -----------------------------------------------------------------------------


def _run(coro: Any) -> Any:
    """Run a coroutine to the end in a thread of its own (Playwright holds this one's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _in_one_transaction(settings: Settings, work: Any, *args: Any) -> Any:
    engine = create_engine(settings.resolved_database_url())
    try:
        async with engine.begin() as conn:
            return await work(conn, *args)
    finally:
        await engine.dispose()


async def _long_history(
    conn: AsyncConnection, session_id: int, operator: Api, count: int
) -> tuple[int, int]:
    """Grow the session to ``count`` customer and operator messages, 30 s apart, the ones it
    already has (the first message and the take) moved to the start of that span. Returns
    the newest message's id and how many messages the session holds."""
    s = (await conn.execute(select(ChatSession).where(ChatSession.id == session_id))).one()
    start = utcnow() - MESSAGE_GAP * count
    query = select(Message.id).where(Message.session_id == s.id).order_by(Message.id)
    existing = (await conn.execute(query)).all()
    for n, (message_id,) in enumerate(existing):
        at = start + MESSAGE_GAP * n / len(existing)
        await conn.execute(update(Message).where(Message.id == message_id).values(created_at=at))
    await conn.execute(
        update(ChatSession)
        .where(ChatSession.id == s.id)
        .values(created_at=start, waiting_since=start)
    )
    rows = [_history_row(s, operator, n, start + MESSAGE_GAP * n) for n in range(2, count + 1)]
    await conn.execute(insert(Message), rows)
    last_id = (await conn.execute(select(Message.id).order_by(Message.id.desc()).limit(1))).one()[0]
    await conn.execute(
        update(ChatSession)
        .where(ChatSession.id == s.id)
        .values(last_message_id=last_id, last_activity_at=rows[-1]["created_at"])
    )
    return int(last_id), len(existing) + len(rows)


def _history_row(s: Any, operator: Api, n: int, at: Any) -> dict[str, Any]:
    by_customer = n % 3 != 0
    text = f"Message {n}: " + ("the order, the address and the parcel " * (1 + n % 4)).strip()
    return {
        "session_id": s.id,
        "livechat_id": s.livechat_id,
        "contact_id": s.contact_id,
        "author_kind": AuthorKind.customer if by_customer else AuthorKind.operator,
        "author_id": None if by_customer else operator.id,
        "author_name": s.name if by_customer else operator.user["name"],
        "text": text,
        "search_text": fold(text),
        "attachments": [],
        "internal": False,
        "channel_kind": "widget",
        "created_at": at,
    }


async def _waiting_queue(conn: AsyncConnection, widget_key: str, count: int) -> int:
    """``count`` widget customers, each with one waiting session of one message; customer
    ``n`` has waited longest for n = 1 and least for n = count (whose session id it returns)."""
    channel = (await conn.execute(select(Channel).where(Channel.widget_key == widget_key))).one()
    start = utcnow() - timedelta(minutes=count)
    names = [f"Queue customer {n:04d}" for n in range(1, count + 1)]
    contact_ids = await _ids(
        conn, Contact, [{"livechat_id": channel.livechat_id, "name": name} for name in names]
    )
    await conn.execute(
        insert(ContactIdentity),
        [
            {"contact_id": c, "channel_id": channel.id, "external_id": f"budget-visitor-{c}"}
            for c in contact_ids
        ],
    )
    at = [start + timedelta(minutes=n) for n in range(count)]
    session_ids = await _ids(
        conn,
        ChatSession,
        [
            {
                "livechat_id": channel.livechat_id,
                "contact_id": contact_ids[n],
                "channel_id": channel.id,
                "channel_kind": channel.kind,
                "name": names[n],
                "search_name": fold(names[n]),
                "status": SessionStatus.unassigned,
                "created_at": at[n],
                "waiting_since": at[n],
                "last_activity_at": at[n],
            }
            for n in range(count)
        ],
    )
    message_ids = await _ids(
        conn,
        Message,
        [
            {
                "session_id": session_ids[n],
                "livechat_id": channel.livechat_id,
                "contact_id": contact_ids[n],
                "author_kind": AuthorKind.customer,
                "author_name": names[n],
                "text": f"Hello from {names[n]}",
                "search_text": fold(f"Hello from {names[n]}"),
                "attachments": [],
                "channel_kind": "widget",
                "created_at": at[n],
            }
            for n in range(count)
        ],
    )
    await conn.execute(
        update(ChatSession)
        .where(ChatSession.id == bindparam("sid"))
        .values(last_message_id=bindparam("mid")),
        [{"sid": s, "mid": m} for s, m in zip(session_ids, message_ids, strict=True)],
    )
    return session_ids[-1]


async def _ids(conn: AsyncConnection, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows in one statement and return their ids in the rows' order."""
    query = insert(model).returning(model.id, sort_by_parameter_order=True)
    return [row[0] for row in (await conn.execute(query, rows)).all()]


# --- measuring ---------------------------------------------------------------------------


def now_ms(page: Page) -> float:
    return float(page.evaluate("() => performance.now()"))


def next_frame(page: Page) -> None:
    """Returns once the page has painted a frame: a busy main thread holds it back."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done(null)))")


def long_tasks(page: Page, since_ms: float, until_ms: float) -> dict[str, float]:
    tasks: list[list[float]] = page.evaluate("() => window.__longTasks")
    inside = [d for start, d in tasks if since_ms <= start < until_ms]
    return {
        "longest_task_ms": round(max(inside, default=0.0), 1),
        "long_tasks": len(inside),
        "blocking_ms": round(sum(d - 50 for d in inside), 1),
    }


def chrome_metrics(cdp: CDPSession) -> dict[str, float]:
    """Chromium's own counters: heap, DOM nodes, and main-thread seconds spent so far."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "js_heap_used_mb": round(metrics.get("JSHeapUsedSize", 0) / 2**20, 1),
        "dom_nodes": int(metrics.get("Nodes", 0)),
        "script_s": round(metrics.get("ScriptDuration", 0), 2),
        "layout_s": round(metrics.get("LayoutDuration", 0), 2),
        "style_s": round(metrics.get("RecalcStyleDuration", 0), 2),
    }


# After the next frame (a busy main thread holds it back): is the target inside the
# scroll box's visible area?
AFTER_FRAME_IN_VIEW = """
([boxSelector, targetSelector]) => new Promise((done) => requestAnimationFrame(() => {
  const box = document.querySelector(boxSelector);
  const el = document.querySelector(targetSelector);
  if (!box || !el) return done(false);
  const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
  done(r.height > 0 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1);
}))
"""


# Scroll the box down a little less than its height at a time, to its end. At each stop the
# messages in view must go up in order, none twice; the answer lists every message seen.
READ_DOWN = """
async (boxSelector) => {
  const box = document.querySelector(boxSelector);
  const frame = () => new Promise((done) => requestAnimationFrame(() => done(null)));
  const seen = [];
  let inOrder = true;
  const look = () => {
    const b = box.getBoundingClientRect();
    const inView = [...box.querySelectorAll("[data-message-id]")].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > b.top && r.top < b.bottom;
    }).map((el) => Number(el.dataset.messageId));
    inView.forEach((id, i) => { if (i > 0 && id <= inView[i - 1]) inOrder = false; });
    for (const id of inView) if (seen.length === 0 || id > seen[seen.length - 1]) seen.push(id);
  };
  box.scrollTop = 0;
  for (let stops = 0; stops < 100000; stops += 1) {
    await frame(); await frame();
    look();
    if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) break;
    box.scrollTop += Math.floor(box.clientHeight * 0.8);
  }
  return { seen, inOrder };
}
"""


# Once the box has stopped scrolling (three frames alike): the first message in view, how
# far below the box's top it starts, and the box's scroll height.
SETTLED_TOP_LINE = """
async (boxSelector) => {
  const box = document.querySelector(boxSelector);
  const frame = () => new Promise((done) => requestAnimationFrame(() => done(null)));
  for (let still = 0, last = -1; still < 3; ) {
    await frame();
    still = box.scrollTop === last ? still + 1 : 0;
    last = box.scrollTop;
  }
  const b = box.getBoundingClientRect();
  const line = [...box.querySelectorAll("[data-message-id]")]
    .find((el) => el.getBoundingClientRect().bottom > b.top);
  return {
    id: Number(line.dataset.messageId),
    top: line.getBoundingClientRect().top - b.top,
    scrollHeight: box.scrollHeight,
  };
}
"""


def wheel_until(page: Page, box: str, target: str, dy: int) -> int:
    """Turn the mouse wheel over the scroll box until the target is in view; the turns it took."""
    page.locator(box).hover()
    for turn in range(1, MAX_WHEEL_TURNS + 1):
        page.mouse.wheel(0, dy)
        if page.evaluate(AFTER_FRAME_IN_VIEW, [box, target]):
            return turn
    raise AssertionError(f"{target} not in view after {MAX_WHEEL_TURNS} turns of the wheel")


# --- the test ----------------------------------------------------------------------------


# Seeding, 200 pages of messages and 100 pages of sessions take over a minute on a busy
# 2-core machine: a generous ceiling against hangs, not a budget.
@pytest.mark.timeout(600)
def test_a_huge_dialog_and_a_huge_queue_scroll_end_to_end(
    desk: Desk, settings: Settings, new_page: NewPage
) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    visitor = desk.visitor(chat, "Ivan Talkative")
    first = visitor.say("Message 1: the very first one")
    session_id = int(first["session_id"])
    olga.post(f"/api/sessions/{session_id}/take")
    seeding = time.perf_counter()
    newest_id, history_size = _run(
        _in_one_transaction(settings, _long_history, session_id, olga, DIALOG_MESSAGES)
    )
    last_session = _run(
        _in_one_transaction(settings, _waiting_queue, chat["widget_key"], LIST_SESSIONS)
    )
    figures: dict[str, Any] = {
        "dialog_messages": DIALOG_MESSAGES,
        "queue_sessions": LIST_SESSIONS,
        "seed_s": round(time.perf_counter() - seeding, 2),
    }

    page = new_page()
    page.add_init_script(WATCH_LONG_TASKS)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    sign_in_as(page, olga)
    expect(group_button(page, "mine")).to_have_attribute("aria-current", "true")

    # Olga opens the session: its newest message shows at the bottom.
    page.evaluate(WATCH_DIALOG_RENDER)
    opened_at = now_ms(page)
    session_row(page, session_id).click()
    box = dialog(page)
    expect(box.locator(f'[data-message-id="{newest_id}"]')).to_be_in_viewport(timeout=WAIT_MS)
    expect(box.locator(f'[data-message-id="{newest_id}"] .text')).to_contain_text(
        f"Message {DIALOG_MESSAGES}:"
    )
    shown: dict[str, float] = page.evaluate("() => window.__dialog")
    figures["dialog_first_render_ms"] = round(shown["shownAt"] - shown["clickAt"], 1)
    figures["dialog_open"] = long_tasks(page, opened_at, now_ms(page))

    # She scrolls up, and up, to the very first message of the conversation.
    figures["before_dialog_scroll"] = chrome_metrics(cdp)
    started, scroll_from = time.perf_counter(), now_ms(page)
    first_line = box.locator(f'[data-message-id="{first["id"]}"]')
    turns = wheel_until(page, MESSAGES, f'[data-message-id="{first["id"]}"]', -WHEEL_PX)
    expect(first_line).to_be_in_viewport()
    expect(first_line.locator(".text")).to_have_text("Message 1: the very first one")
    figures["dialog_scroll"] = {
        "to_first_message_ms": round((time.perf_counter() - started) * 1000),
        "wheel_turns": turns,
        **long_tasks(page, scroll_from, now_ms(page)),
    }
    figures["after_dialog"] = chrome_metrics(cdp)
    # Every page came in once and in its place: reading down from the first message to the
    # newest, each message passes through the view once, in order. (Only the messages near
    # the view are in the page, so the page's elements alone cannot tell.)
    reading = page.evaluate(READ_DOWN, MESSAGES)
    seen: list[int] = reading["seen"]
    assert reading["inOrder"], "messages repeated or out of order"
    assert (seen[0], seen[-1], len(seen)) == (first["id"], newest_id, history_size)
    # At the bottom, a new message comes into view; reading older ones, the next new message
    # leaves the view where it is.
    latest = visitor.say("Are you still there?")
    expect(box.locator(f'[data-message-id="{latest["id"]}"]')).to_be_in_viewport(timeout=WAIT_MS)
    page.locator(MESSAGES).hover()
    for _ in range(3):
        page.mouse.wheel(0, -WHEEL_PX)
    before = page.evaluate(SETTLED_TOP_LINE, MESSAGES)
    visitor.say("Hello?")
    page.wait_for_function(
        "([box, height]) => document.querySelector(box).scrollHeight > height",
        arg=[MESSAGES, before["scrollHeight"]],
        timeout=WAIT_MS,
    )
    after = page.evaluate(SETTLED_TOP_LINE, MESSAGES)
    assert after["id"] == before["id"]
    assert after["top"] == pytest.approx(before["top"], abs=2), "the view jumped"
    # The page still takes typing.
    composer = box.locator("textarea[name=text]")
    composer.press_sequentially("Still with you")
    expect(composer).to_have_value("Still with you")

    # The queue: 5,000 waiting sessions, scrolled down to the one that came in last.
    show_group(page, "unassigned")
    rows = page.locator(".session-list")
    expect(rows.locator("button.session-row").first).to_contain_text("Queue customer 0001")
    started, scroll_from = time.perf_counter(), now_ms(page)
    turns = wheel_until(page, ".session-list", f'[data-session-id="{last_session}"]', WHEEL_PX)
    last_row = session_row(page, last_session)
    expect(last_row).to_be_in_viewport()
    expect(last_row.locator(".session-name")).to_have_text(f"Queue customer {LIST_SESSIONS:04d}")
    figures["queue_scroll"] = {
        "to_last_session_ms": round((time.perf_counter() - started) * 1000),
        "wheel_turns": turns,
        **long_tasks(page, scroll_from, now_ms(page)),
    }
    figures["after_queue"] = chrome_metrics(cdp)
    # It opens with one click.
    last_row.click()
    heading = dialog(page).get_by_role("heading", name=f"Queue customer {LIST_SESSIONS:04d}")
    expect(heading).to_be_visible(timeout=WAIT_MS)
    figures["longest_task_ms"] = long_tasks(page, 0, now_ms(page))["longest_task_ms"]

    BUDGETS_FILE.parent.mkdir(parents=True, exist_ok=True)
    BUDGETS_FILE.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nUI budgets ({BUDGETS_FILE.relative_to(REPO)}):\n{json.dumps(figures, indent=2)}")
