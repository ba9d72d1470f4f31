"""The workspace's dialog, customer panel, search and admin pages in a real browser.

Helpers come from test_workspace; every wait is bounded by WAIT_MS (10 s).
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from tests.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Desk
from tests.e2e.conftest import WAIT_MS, NewPage
from tests.e2e.test_workspace import (
    Shots,
    dialog,
    eventually,
    group_button,
    no_notice,
    session_row,
    show_group,
    sign_in,
    sign_in_as,
)

pytestmark = pytest.mark.browser


def test_returning_customer_history_panel_assign_and_notes(
    desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    oleg = desk.user("Oleg Operator")
    sveta = desk.user("Sveta Supervisor")
    chat = desk.livechat("Support", operators=[olga, oleg], supervisors=[sveta])

    # A first visit: taken, answered and closed by Olga.
    visitor = desk.visitor(chat, "Ivan Returning")
    first = int(visitor.say("First visit question")["session_id"])
    olga.post(f"/api/sessions/{first}/take")
    olga.post(f"/api/sessions/{first}/messages", {"text": "First visit answer"}, expect=201)
    olga.post(f"/api/sessions/{first}/close")
    # The customer comes back: a new session, the old one still in the history.
    second = int(visitor.say("I am back")["session_id"])
    assert second != first

    sup = new_page()
    sign_in_as(sup, sveta)
    expect(group_button(sup, "unassigned")).to_have_attribute("aria-current", "true")
    session_row(sup, second).click()
    box = dialog(sup)
    expect(box.get_by_role("heading", name="Ivan Returning")).to_be_visible(timeout=WAIT_MS)
    # A separator before the earlier session; system lines styled apart from messages.
    earlier = box.locator(f'.message-row.earlier[data-session-id="{first}"]')
    expect(earlier.locator(".separator")).to_contain_text("Earlier session")
    expect(earlier.locator('.system-line[data-system-kind="taken"]')).to_contain_text(
        "Olga Operator"
    )
    expect(earlier.locator('.system-line[data-system-kind="closed"]')).to_be_visible()
    expect(box.locator(".message.from-system")).to_have_count(0)
    expect(box.locator(".message.from-customer .text")).to_have_text(
        ["First visit question", "I am back"]
    )
    expect(box.locator(".message.from-customer .channel-widget")).to_have_count(2)
    # The close cross sits next to the customer's name.
    expect(box.locator(".dialog-header h2 + button.close")).to_be_visible()

    # The customer panel; the supervisor assigns the session to Oleg.
    panel = sup.locator(".customer-panel")
    expect(panel.locator(".contact-name")).to_have_text("Ivan Returning", timeout=WAIT_MS)
    # A widget visitor's channel line names the website, not the visitor's random id.
    expect(panel.get_by_role("list", name="Channels")).to_have_text("Website visitor")
    panel.get_by_role("button", name="Assign operator").click()
    operators = panel.locator(".operator-list button.operator")
    expect(operators).to_have_count(2)
    expect(panel.locator(f'button.operator[data-operator-id="{oleg.id}"]')).to_contain_text(
        "Online"
    )
    shots(sup, "11-supervisor-assign-operator")
    panel.locator(f'button.operator[data-operator-id="{oleg.id}"]').click()
    expect(box).to_contain_text("Assigned to: Oleg Operator", timeout=WAIT_MS)
    expect(box.locator('.system-line[data-system-kind="assigned"]')).to_be_visible(timeout=WAIT_MS)
    no_notice(sup)
    assert sveta.get(f"/api/sessions/{second}")["assignee"]["id"] == oleg.id

    # Oleg finds it in "My chats"; opening it marks it read.
    op = new_page()
    sign_in_as(op, oleg)
    row = session_row(op, second)
    expect(row).to_be_visible(timeout=WAIT_MS)
    row.click()
    obox = dialog(op)
    expect(obox.get_by_role("heading", name="Ivan Returning")).to_be_visible(timeout=WAIT_MS)
    eventually(
        lambda: oleg.get(f"/api/sessions/{second}")["unread_count"] == 0,
        "opening the session to mark it read",
    )
    expect(row.locator(".unread")).to_have_count(0, timeout=WAIT_MS)

    # An internal note: highlighted for colleagues, never sent to the customer.
    obox.get_by_label("Internal note").check()
    composer = obox.locator("textarea[name=text]")
    composer.fill("Customer is a VIP")
    composer.press("Enter")
    expect(obox.locator(".message.internal .text")).to_have_text(
        ["Customer is a VIP"], timeout=WAIT_MS
    )
    expect(box.locator(".message.internal .text")).to_have_text(
        ["Customer is a VIP"], timeout=WAIT_MS
    )
    shots(op, "12-dialog-history-note")
    assert "Customer is a VIP" not in [m["text"] for m in visitor.history()]


def test_search_chats_then_messages_and_jump_to_a_hit(
    desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    maria = desk.visitor(chat, "Maria Searchable")
    sid = int(maria.say("my parcel zebracorn never arrived")["session_id"])
    olga.post(f"/api/sessions/{sid}/take")
    # More than a page of later messages: the hit is not on the first page loaded.
    for n in range(55):
        olga.post(f"/api/sessions/{sid}/messages", {"text": f"filler line {n}"}, expect=201)
    desk.visitor(chat, "Peter Other").say("hello")

    page = new_page()
    sign_in_as(page, olga)
    search = page.get_by_label("Search", exact=True)

    # No chat open: chats by name only.
    search.fill("Maria")
    results = page.locator(".search-results")
    expect(results.locator(".hit-session")).to_have_count(1, timeout=WAIT_MS)
    expect(results.locator(".hit-session")).to_contain_text("Maria Searchable")
    expect(results.locator(".hit-message")).to_have_count(0)
    results.locator(".hit-session").click()
    box = dialog(page)
    expect(box.get_by_role("heading", name="Maria Searchable")).to_be_visible(timeout=WAIT_MS)
    expect(box.locator(".message", has_text="zebracorn")).to_have_count(0)

    # A chat open: its messages too; a click loads older pages and scrolls to the hit.
    search.fill("zebracorn")
    hit = results.locator(".hit-message")
    expect(hit).to_have_count(1, timeout=WAIT_MS)
    shots(page, "13-search-message-hits")
    hit.click()
    target = box.locator(".message.highlight")
    expect(target).to_contain_text("zebracorn", timeout=WAIT_MS)
    expect(target).to_be_in_viewport(timeout=WAIT_MS)
    no_notice(page)


def test_admin_creates_a_user_and_a_live_chat_with_a_widget(
    admin: Api, new_page: NewPage, shots: Shots
) -> None:
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("button", name="Administration").click()

    # Validation errors show next to their fields.
    form = page.get_by_role("form", name="New user")
    form.get_by_label("E-mail").fill("not-an-email")
    form.get_by_label("Name").fill("Nora New")
    form.get_by_label("Password").fill("x")
    form.get_by_role("button", name="Create").click()
    expect(form.locator(".field.invalid .field-error")).to_have_count(2, timeout=WAIT_MS)
    expect(form.locator(".field.invalid", has=page.locator("input[name=password]"))).to_be_visible()
    shots(page, "14-admin-user-validation")
    form.get_by_label("E-mail").fill("nora@test.local")
    form.get_by_label("Password").fill("nora-pass")
    form.get_by_role("button", name="Create").click()
    expect(page.locator(".admin-table")).to_contain_text("nora@test.local", timeout=WAIT_MS)
    nora = next(u for u in admin.get("/api/users") if u["email"] == "nora@test.local")

    # A live chat with Nora as operator and a website widget.
    page.locator(".admin-tabs").get_by_role("button", name="Live chats").click()
    chat_form = page.get_by_role("form", name="New live chat")
    chat_form.get_by_label("Name").fill("Sales")
    chat_form.get_by_role("button", name="Create").click()
    editor = page.locator(".livechat-editor")
    expect(editor.get_by_label("Name")).to_have_value("Sales", timeout=WAIT_MS)
    editor.get_by_label("Operator: Nora New").check()
    editor.get_by_role("button", name="Save members").click()
    editor.get_by_role("button", name="Add website widget").click()
    snippet = editor.locator(".snippet code")
    expect(snippet).to_contain_text("/widget.js", timeout=WAIT_MS)
    expect(snippet).to_contain_text('data-widget-key="')
    shots(page, "15-admin-livechat-widget")
    no_notice(page)

    chat = next(c for c in admin.get("/api/livechats") if c["name"] == "Sales")
    detail = admin.get(f"/api/livechats/{chat['id']}")
    assert [m["id"] for m in detail["members"]] == [nora["id"]]
    assert [c["kind"] for c in detail["channels"]] == ["widget"]
    assert detail["channels"][0]["widget_key"] in snippet.inner_text()

    # Back in the workspace, the admin's own view is unchanged.
    page.get_by_role("button", name="Workspace").click()
    expect(page.locator(".sidebar")).to_be_visible()


def test_alert_toast_title_favicon_blue_counter_and_mute(desk: Desk, new_page: NewPage) -> None:
    olga = desk.user("Olga Operator")
    sveta = desk.user("Sveta Supervisor")
    chat = desk.livechat("Support", operators=[olga], supervisors=[sveta])
    op, sup = new_page(), new_page()
    sign_in_as(op, olga)
    sign_in_as(sup, sveta)

    # The alert sound can be muted; the choice survives a reload.
    op.get_by_role("button", name="Mute alert sound").click()
    expect(op.get_by_role("button", name="Unmute alert sound")).to_have_attribute(
        "aria-pressed", "true"
    )
    op.reload()
    expect(op.get_by_role("button", name="Unmute alert sound")).to_be_visible(timeout=WAIT_MS)
    expect(sup).to_have_title("livedesk")

    visitor = desk.visitor(chat, "Ivan Alert")
    sid = int(visitor.say("Need help now")["session_id"])
    # The operator gets a toast; the supervisor's red counter shows in the title and favicon.
    toast = op.locator(".toast")
    expect(toast).to_contain_text("Ivan Alert", timeout=WAIT_MS)
    expect(toast).to_contain_text("Need help now")
    expect(sup).to_have_title("(1) livedesk", timeout=WAIT_MS)
    expect(sup.locator('link[rel="icon"]')).to_have_attribute("data-count", "1")
    toast.locator(".toast-body").click()
    expect(dialog(op).get_by_role("heading", name="Ivan Alert")).to_be_visible(timeout=WAIT_MS)

    # The blue counter takes the longest-waiting session and opens it.
    op.locator(".bottombar .counter.blue").click()
    expect(dialog(op).locator(".status")).to_have_text("active", timeout=WAIT_MS)
    expect(dialog(op)).to_contain_text("Assigned to: Olga Operator")
    expect(group_button(op, "mine")).to_have_attribute("aria-current", "true")
    expect(session_row(op, sid)).to_be_visible(timeout=WAIT_MS)
    expect(sup).to_have_title("livedesk", timeout=WAIT_MS)
    expect(sup.locator('link[rel="icon"]')).to_have_attribute("data-count", "")
    no_notice(op)


def test_connection_loss_shows_a_banner_and_catches_up(desk: Desk, new_page: NewPage) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    visitor = desk.visitor(chat, "Ivan Offline")
    sid = int(visitor.say("Before the drop")["session_id"])
    olga.post(f"/api/sessions/{sid}/take")

    page = new_page()
    link: dict[str, Any] = {"blocked": False, "sockets": []}

    def route(ws: WebSocketRoute) -> None:
        if link["blocked"]:
            ws.close(code=1011, reason="test: network down")
            return
        ws.connect_to_server()
        link["sockets"].append(ws)

    page.route_web_socket(re.compile(r".*/api/events.*"), route)
    sign_in_as(page, olga)
    session_row(page, sid).click()
    box = dialog(page)
    expect(box.locator(".message.from-customer .text")).to_have_text(["Before the drop"])
    eventually(lambda: bool(link["sockets"]), "the event socket to open")

    # The network drops: a banner shows while events happen elsewhere.
    link["blocked"] = True
    for ws in link["sockets"]:
        ws.close(code=1011, reason="test: network down")
    expect(page.locator(".banner")).to_have_text("Reconnecting…", timeout=WAIT_MS)
    visitor.say("Said while you were offline")
    time.sleep(1)
    expect(box.locator(".message.from-customer .text")).to_have_count(1)

    # Back online: the banner goes and the missed message appears, no reload.
    link["blocked"] = False
    expect(page.locator(".banner")).to_have_count(0, timeout=WAIT_MS)
    expect(box.locator(".message.from-customer .text")).to_have_text(
        ["Before the drop", "Said while you were offline"], timeout=WAIT_MS
    )
    expect(session_row(page, sid).locator(".preview")).to_have_text(
        "Said while you were offline", timeout=WAIT_MS
    )


def _group_count(page: Page, group: str) -> Locator:
    return group_button(page, group).locator(".count")


def _menu_counts(page: Page, groups: tuple[str, ...], counts: str) -> None:
    """The sizes the left menu shows, in menu order, e.g. "1 0 2"."""
    for group, count in zip(groups, counts.split(), strict=True):
        expect(_group_count(page, group)).to_have_text(count, timeout=WAIT_MS)


def test_every_group_in_the_menu_shows_its_size_live(
    desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    sveta = desk.user("Sveta Supervisor")
    chat = desk.livechat("Support", operators=[olga], supervisors=[sveta])
    op, sup = new_page(), new_page()
    sign_in_as(op, olga)
    sign_in_as(sup, sveta)
    operator_groups = ("mine", "unassigned", "closed")
    supervisor_groups = ("unassigned", "active", "closed")
    _menu_counts(op, operator_groups, "0 0 0")
    _menu_counts(sup, supervisor_groups, "0 0 0")
    expect(group_button(op, "active")).to_have_count(0)
    expect(group_button(sup, "mine")).to_have_count(0)

    # Two customers write: both queues grow, no reload.
    first = int(desk.visitor(chat, "Ivan First").say("hello")["session_id"])
    desk.visitor(chat, "Petr Second").say("hi there")
    _menu_counts(op, operator_groups, "0 2 0")
    _menu_counts(sup, supervisor_groups, "2 0 0")

    # The operator takes one in the UI: My chats and Active grow, the queue shrinks.
    show_group(op, "unassigned")
    session_row(op, first).click()
    dialog(op).get_by_role("button", name="Take", exact=True).click()
    _menu_counts(op, operator_groups, "1 1 0")
    _menu_counts(sup, supervisor_groups, "1 1 0")
    expect(_group_count(op, "mine")).not_to_have_class(re.compile(r"\bunread\b"))

    # The supervisor assigns the other one to Olga: unread, so My chats turns red.
    second = sveta.get(f"/api/sessions?livechat_id={chat['id']}&group=unassigned")["items"][0]
    sveta.post(f"/api/sessions/{second['id']}/assign", {"operator_id": olga.id})
    _menu_counts(op, operator_groups, "2 0 0")
    _menu_counts(sup, supervisor_groups, "0 2 0")
    expect(_group_count(op, "mine")).to_have_class(re.compile(r"\bunread\b"), timeout=WAIT_MS)
    shots(op, "17-menu-group-sizes")
    # She closes the first one.
    olga.post(f"/api/sessions/{first}/close")
    _menu_counts(op, operator_groups, "1 0 1")
    _menu_counts(sup, supervisor_groups, "0 1 1")
    # Each size is what the group lists.
    show_group(sup, "closed")
    expect(sup.locator(".session-list button.session-row")).to_have_count(1, timeout=WAIT_MS)
    no_notice(op)
    no_notice(sup)


def test_system_lines_in_russian(desk: Desk, new_page: NewPage, shots: Shots) -> None:
    olga = desk.user("Olga Operator")
    oleg = desk.user("Oleg Operator")
    sveta = desk.user("Sveta Supervisor")
    chat = desk.livechat("Support", operators=[olga, oleg], supervisors=[sveta])
    sid = int(desk.visitor(chat, "Ivan Customer").say("Здравствуйте")["session_id"])
    olga.post(f"/api/sessions/{sid}/take")
    sveta.post(f"/api/sessions/{sid}/assign", {"operator_id": oleg.id})
    oleg.post(f"/api/sessions/{sid}/close")

    page = new_page()
    sign_in_as(page, sveta)
    page.get_by_label("Language").select_option("ru")
    show_group(page, "closed")
    expect(group_button(page, "closed")).to_contain_text("Закрытые")
    session_row(page, sid).click()
    lines = dialog(page).locator(".system-line .text")
    expect(lines).to_have_text(
        [
            "Olga Operator взял(а) чат в работу",
            "Sveta Supervisor переназначил(а) чат: Olga Operator → Oleg Operator",
            "Oleg Operator закрыл(а) чат",
        ],
        timeout=WAIT_MS,
    )
    shots(page, "16-system-lines-ru")
    # Back in English, the same lines in English.
    page.get_by_label("Язык").select_option("en")
    expect(lines).to_have_text(
        [
            "Olga Operator took the chat",
            "Sveta Supervisor reassigned the chat from Olga Operator to Oleg Operator",
            "Oleg Operator closed the chat",
        ],
        timeout=WAIT_MS,
    )
    no_notice(page)


def test_app_buttons_follow_the_live_chat_settings(
    desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    sid = int(desk.visitor(chat, "Ivan Customer").say("hello")["session_id"])
    olga.post(f"/api/sessions/{sid}/take")
    page = new_page()
    sign_in_as(page, olga)
    session_row(page, sid).click()
    panel = page.locator(".customer-panel")
    expect(panel.locator(".contact-name")).to_have_text("Ivan Customer", timeout=WAIT_MS)
    # No app bound: nothing of the apps shows.
    expect(panel.get_by_role("button", name="Create item")).to_have_count(0)
    expect(panel.get_by_role("region", name="Account")).to_have_count(0)

    fields = [{"key": "title", "label": "Title", "type": "string"}]
    requests = desk.admin.post("/api/apps", {"name": "Requests", "fields": fields}, expect=201)
    customers = desk.admin.post("/api/apps", {"name": "Customers", "fields": fields}, expect=201)
    settings = {"item_app_id": requests["id"], "customer_app_id": customers["id"]}
    desk.admin.patch(f"/api/livechats/{chat['id']}", {"settings": settings})
    # The item app shows at once (tests/e2e/test_apps.py uses it).
    expect(panel.get_by_role("button", name="Create item")).to_be_enabled(timeout=WAIT_MS)
    # The customer app needs a messenger channel besides the widget.
    expect(panel.get_by_role("region", name="Account")).to_have_count(0)
    desk.admin.post(f"/api/livechats/{chat['id']}/channels", {"kind": "api"}, expect=201)
    page.reload()
    session_row(page, sid).click()
    account = panel.get_by_role("region", name="Account")
    expect(account).to_be_visible(timeout=WAIT_MS)
    expect(account.get_by_role("button", name="Create customer record")).to_be_enabled()
    page.get_by_label("Language").select_option("ru")
    expect(panel.get_by_role("button", name="Создать запись")).to_be_visible()
    expect(panel.get_by_role("button", name="Создать карточку клиента")).to_be_visible()
    shots(page, "18-app-buttons")
    no_notice(page)


def test_a_reply_typed_right_after_take_waits_for_the_take(desk: Desk, new_page: NewPage) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    visitor = desk.visitor(chat, "Quick Customer")
    session_id = int(visitor.say("Are you there?")["session_id"])
    page = new_page()
    sign_in_as(page, olga)
    show_group(page, "unassigned")
    session_row(page, session_id).click()
    box = dialog(page)
    expect(box.get_by_role("heading", name="Quick Customer")).to_be_visible(timeout=WAIT_MS)
    # The take is held on its way to the server while the operator already replies.
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    page.route(f"**/api/sessions/{session_id}/take", hold)
    box.get_by_role("button", name="Take", exact=True).click()
    for _ in range(200):  # the page's own calls let the route see the request
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the take was not sent"
    composer = box.locator("textarea[name=text]")
    composer.fill("Yes, right here")
    composer.press("Enter")
    page.wait_for_timeout(500)  # a reply that did not wait would have been refused by now
    held[0].continue_()
    expect(box.locator(".message.from-operator .text")).to_have_text(
        ["Yes, right here"], timeout=WAIT_MS
    )
    expect(box.locator(".status")).to_have_text("active", timeout=WAIT_MS)
    no_notice(page)
    eventually(
        lambda: [m["text"] for m in visitor.history()] == ["Are you there?", "Yes, right here"],
        "the reply in the customer's history",
    )
