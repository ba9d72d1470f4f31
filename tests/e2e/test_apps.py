"""Apps in a real browser: an admin defines one and binds it to a live chat, an operator
creates an item from a chat and edits it in the Apps view, and a customer who writes from
two channels gets one customer record, whose dialog then shows both histories.

Helpers come from test_workspace; every wait is bounded by WAIT_MS (10 s).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Desk
from tests.e2e.conftest import WAIT_MS, NewPage
from tests.e2e.test_workspace import (
    Shots,
    dialog,
    no_notice,
    session_row,
    show_group,
    sign_in,
    sign_in_as,
)

pytestmark = pytest.mark.browser


def _row(editor: Locator, index: int) -> Locator:
    return editor.locator(f'.field-row[data-field-index="{index}"]')


def _add_field(editor: Locator, label: str, kind: str, *, key: str = "") -> Locator:
    """Add a field at the end of the editor's list; its key follows the label unless given."""
    index = editor.locator(".field-row").count()
    editor.get_by_role("button", name="Add field").click()
    row = _row(editor, index)
    row.get_by_label("Label").fill(label)
    if key:
        row.get_by_label("Key").fill(key)
    row.get_by_label("Type").select_option(kind)
    return row


def _define_requests_app(page: Page, shots: Shots) -> None:
    """Admin → Apps → New app "Requests", with a mistake the server points out first."""
    page.locator(".admin-tabs").get_by_role("button", name="Apps").click()
    page.get_by_role("button", name="New app").click()
    editor = page.get_by_role("form", name="New app")
    editor.get_by_label("Name", exact=True).fill("Requests")
    subject = _add_field(editor, "Subject", "string")
    expect(subject.get_by_label("Key")).to_have_value("subject")
    subject.get_by_label("Required").check()
    _add_field(editor, "Customer", "contact")
    _add_field(editor, "Chat link", "string", key="session_link")
    _add_field(editor, "Transcript", "text")
    status = _add_field(editor, "Status", "select")
    _add_field(editor, "Due", "date")
    _add_field(editor, "Urgent", "boolean")
    # The order can change: "Urgent" goes up above "Due".
    _row(editor, 6).get_by_role("button", name="Move up").click()
    expect(_row(editor, 5).get_by_label("Label")).to_have_value("Urgent")

    # A choice without options: the server's message shows under the options box.
    editor.get_by_role("button", name="Create").click()
    options = status.locator(".field", has=page.locator("textarea[name=options]"))
    expect(options.locator(".field-error")).to_have_text(
        "a select field needs options", timeout=WAIT_MS
    )
    shots(page, "40-admin-app-validation")
    status.get_by_label("Options").fill("new\nin progress\ndone")
    editor.get_by_role("button", name="Create").click()
    saved = page.get_by_role("form", name="Requests")
    expect(saved.locator(".app-secret code")).not_to_be_empty(timeout=WAIT_MS)
    expect(saved.locator(".field-row")).to_have_count(7)

    # Editing it: a field keeps its type, and the refusal shows next to that field's type.
    due = _row(saved, 6)
    due.get_by_label("Type").select_option("number")
    saved.get_by_role("button", name="Save").click()
    type_error = due.locator(".field", has=page.locator("select[name=type]")).locator(
        ".field-error"
    )
    expect(type_error).to_contain_text("a field keeps its type (date)", timeout=WAIT_MS)
    due.get_by_label("Type").select_option("date")
    due.get_by_label("Label").fill("Due date")
    saved.get_by_role("button", name="Save").click()
    expect(saved.locator(".saved")).to_have_text("Saved.", timeout=WAIT_MS)
    expect(due.get_by_label("Key")).to_have_value("due")


def _bind(page: Page, livechat_id: int, **apps: str) -> None:
    """Live chats → the chat's settings: pick the item and customer apps, save."""
    page.locator(".admin-tabs").get_by_role("button", name="Live chats").click()
    page.locator(f'.admin-list button[data-livechat-id="{livechat_id}"]').click()
    settings = page.locator(".livechat-editor").get_by_role("form", name="Settings")
    for name, app in apps.items():
        settings.locator(f"select[name={name}]").select_option(label=app)
    settings.get_by_role("button", name="Save").click()
    expect(settings.locator(".saved")).to_have_text("Saved.", timeout=WAIT_MS)


def test_an_operator_creates_a_request_from_a_chat_and_edits_it(
    desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    visitor = desk.visitor(chat, "Ivan Customer")
    sid = int(visitor.say("My kettle leaks")["session_id"])
    olga.post(f"/api/sessions/{sid}/take")
    olga.post(f"/api/sessions/{sid}/messages", {"text": "Sorry! Sending a form."}, expect=201)
    olga.post(f"/api/sessions/{sid}/messages", {"text": "VIP", "internal": True}, expect=201)

    admin_page = new_page()
    sign_in(admin_page, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin_page.get_by_role("button", name="Administration").click()
    _define_requests_app(admin_page, shots)
    shots(admin_page, "41-admin-app-editor")
    _bind(admin_page, chat["id"], item_app_id="Requests")
    no_notice(admin_page)
    app = next(a for a in desk.admin.get("/api/apps") if a["name"] == "Requests")
    assert [f["key"] for f in app["fields"]] == [
        "subject",
        "customer",
        "session_link",
        "transcript",
        "status",
        "urgent",
        "due",
    ]

    # The operator creates a request from the chat: the form comes prefilled.
    page = new_page()
    sign_in_as(page, olga)
    session_row(page, sid).click()
    panel = page.locator(".customer-panel")
    panel.get_by_role("button", name="Create item").click()
    form = page.get_by_role("dialog").get_by_role("form", name="Requests")
    expect(form.locator(".contact-value")).to_contain_text("Ivan Customer", timeout=WAIT_MS)
    expect(form.get_by_label("Chat link")).to_have_value(f"{desk.base}/#session={sid}")
    transcript = form.get_by_label("Transcript")
    expect(transcript).to_have_value(
        _lines_matching(r"\d\d:\d\d Ivan Customer: My kettle leaks", "Olga Operator: Sorry!")
    )
    assert "VIP" not in transcript.input_value()
    # A required field left empty: the server's message shows under it, nothing is made.
    form.get_by_role("button", name="Create").click()
    subject = form.locator(".field", has=page.locator("input[name=subject]"))
    expect(subject.locator(".field-error")).to_have_text("Subject is required", timeout=WAIT_MS)
    assert olga.get(f"/api/apps/{app['id']}/items")["total"] == 0
    form.get_by_label("Subject").fill("Leaking kettle")
    form.get_by_label("Status").select_option("new")
    form.get_by_label("Urgent").check()
    shots(page, "42-create-item-prefilled")
    form.get_by_role("button", name="Create").click()
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=WAIT_MS)

    # The dialog says so, with a link; the customer panel lists the item.
    line = dialog(page).locator('.system-line[data-system-kind="item_created"]')
    expect(line.locator(".text")).to_have_text(
        "Olga Operator created Requests: Leaking kettle", timeout=WAIT_MS
    )
    items = panel.get_by_role("region", name="Items")
    expect(items.locator(".item-link")).to_have_text(["Leaking kettle"], timeout=WAIT_MS)
    shots(page, "43-item-created-line")
    [item] = olga.get(f"/api/apps/{app['id']}/items")["items"]
    assert item["session_id"] == sid and item["contact_id"] == visitor.contact_id
    assert item["fields"]["customer"] == visitor.contact_id
    assert item["fields"]["urgent"] is True and item["fields"]["status"] == "new"
    assert item["fields"]["transcript"].endswith("Olga Operator: Sorry! Sending a form.")

    # The line's link opens the item; its contact links back to the chat.
    line.get_by_role("link", name="Open").click()
    window = page.get_by_role("dialog", name="Requests: Leaking kettle")
    expect(window.locator(".contact-value")).to_contain_text("Ivan Customer", timeout=WAIT_MS)
    window.get_by_role("button", name="Close").click()
    expect(window).to_have_count(0)

    # The Apps view: the table, a search, a filter, and an edit that sends what changed.
    other = {"subject": "Other", "status": "done"}
    olga.post(f"/api/apps/{app['id']}/items", {"fields": other}, expect=201)
    page.locator(".topbar").get_by_role("button", name="Apps").click()
    table = page.locator(".items-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2, timeout=WAIT_MS)
    status_filter = page.locator(".items-toolbar select[name=filter-status]")
    status_filter.select_option("new")
    expect(rows).to_have_count(1, timeout=WAIT_MS)
    status_filter.select_option("")
    expect(rows).to_have_count(2, timeout=WAIT_MS)
    page.get_by_label("Search items").fill("kettle")
    subjects = rows.locator('td[data-field="subject"]')
    expect(subjects).to_have_text(["Leaking kettle"], timeout=WAIT_MS)
    page.get_by_label("Search items").fill("")
    expect(rows).to_have_count(2, timeout=WAIT_MS)
    table.locator('th[data-sort-key="subject"] button').click()
    expect(subjects).to_have_text(["Leaking kettle", "Other"], timeout=WAIT_MS)
    table.locator('th[data-sort-key="subject"] button').click()
    expect(subjects).to_have_text(["Other", "Leaking kettle"], timeout=WAIT_MS)
    shots(page, "44-apps-view")
    rows.filter(has_text="Leaking kettle").locator(".item-open").click()
    edit = page.get_by_role("dialog").get_by_role("form", name="Requests")
    expect(edit.get_by_label("Subject")).to_have_value("Leaking kettle", timeout=WAIT_MS)
    with page.expect_request(lambda r: r.method == "PATCH") as patch:
        edit.get_by_label("Status").select_option("in progress")
        edit.get_by_role("button", name="Save").click()
    assert patch.value.post_data_json == {"fields": {"status": "in progress"}}
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=WAIT_MS)
    edited = rows.filter(has_text="Leaking kettle")
    expect(edited.locator('td[data-field="status"]')).to_have_text("in progress", timeout=WAIT_MS)
    assert olga.get(f"/api/apps/{app['id']}/items/{item['id']}")["fields"]["status"] == (
        "in progress"
    )

    # A bad value comes back next to its field.
    edited.locator(".item-open").click()
    edit = page.get_by_role("dialog").get_by_role("form", name="Requests")
    edit.get_by_label("Subject").fill("")
    edit.get_by_role("button", name="Save").click()
    expect(
        edit.locator(".field", has=page.locator("input[name=subject]")).locator(".field-error")
    ).to_have_text("Subject is required", timeout=WAIT_MS)
    page.keyboard.press("Escape")

    # The chat link in the table opens the session in the workspace.
    edited.locator('td[data-field="session_link"] a').click()
    expect(dialog(page).get_by_role("heading", name="Ivan Customer")).to_be_visible(timeout=WAIT_MS)
    # An item's own address opens it in the Apps view, in a new tab too.
    tab = new_page()
    sign_in_as(tab, olga)
    tab.goto(f"/#item={app['id']}/{item['id']}")
    expect(tab.get_by_role("dialog", name="Requests: Leaking kettle")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(tab.locator(".apps-page .items-table")).to_be_visible()
    no_notice(page)
    no_notice(tab)


def _lines_matching(*parts: str) -> re.Pattern[str]:
    """Text holding each part in turn, across lines."""
    return re.compile(".*".join(parts), re.S)


def _api_message(base: str, channel: dict[str, Any], sender: str, name: str, text: str) -> None:
    body = {"sender_id": sender, "sender_name": name, "sender_username": "anna_s", "text": text}
    with httpx.Client(base_url=base, timeout=30) as http:
        r = http.post(
            f"/api/channels/api/{channel['id']}/messages",
            json=body,
            headers={"Authorization": f"Bearer {channel['token']}"},
        )
    assert r.status_code == 200, r.text


def _session_of(api: Api, livechat_id: int, contact_name: str) -> int:
    page = api.get(f"/api/sessions?livechat_id={livechat_id}&group=unassigned")
    return int(next(s["id"] for s in page["items"] if s["contact"]["name"] == contact_name))


def test_one_customer_record_links_two_channels_and_merges_their_history(
    desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    fields = [
        {"key": "name", "label": "Name", "type": "string", "required": True},
        {"key": "phone", "label": "Phone", "type": "phone"},
        {"key": "username", "label": "Username", "type": "string"},
        {"key": "vip", "label": "VIP", "type": "boolean"},
    ]
    customers = desk.admin.post("/api/apps", {"name": "Customers", "fields": fields}, 201)
    desk.admin.patch(
        f"/api/livechats/{chat['id']}", {"settings": {"customer_app_id": customers["id"]}}
    )
    channel = desk.admin.post(f"/api/livechats/{chat['id']}/channels", {"kind": "api"}, 201)

    # The same person writes from the website and from a messenger (the API channel).
    web = desk.visitor(chat, "Anna Smith")
    web_sid = int(web.say("Hi from the website")["session_id"])
    _api_message(desk.base, channel, "wa:+15550100", "Anna S.", "Hi from WhatsApp")
    api_sid = _session_of(olga, chat["id"], "Anna S.")
    for sid in (web_sid, api_sid):
        olga.post(f"/api/sessions/{sid}/take")

    page = new_page()
    sign_in_as(page, olga)
    show_group(page, "mine")
    session_row(page, api_sid).click()
    account = page.locator(".customer-panel").get_by_role("region", name="Account")
    expect(account).to_contain_text("No customer record yet.", timeout=WAIT_MS)

    # The record is made from the API contact, prefilled with its name and username.
    account.get_by_role("button", name="Create customer record").click()
    form = page.get_by_role("dialog").get_by_role("form", name="Customers")
    expect(form.locator("input[name=name]")).to_have_value("Anna S.", timeout=WAIT_MS)
    expect(form.get_by_label("Username")).to_have_value("anna_s")
    form.locator("input[name=name]").fill("Anna Smith")
    form.get_by_label("Phone").fill("+1 555 0100")
    form.get_by_role("button", name="Create").click()
    record = account.locator(".account-record")
    expect(record.locator(".item-link")).to_have_text("Anna Smith", timeout=WAIT_MS)
    expect(record.locator('[data-field="phone"] dd')).to_have_text("+1 555 0100")
    expect(record.locator(".linked-count")).to_have_text("Linked contacts: 1")

    # The website contact is linked to it, found by name.
    session_row(page, web_sid).click()
    expect(dialog(page).get_by_role("heading", name="Anna Smith")).to_be_visible(timeout=WAIT_MS)
    expect(account).to_contain_text("No customer record yet.", timeout=WAIT_MS)
    box = dialog(page)
    expect(box.locator(".message.from-customer .text")).to_have_text(["Hi from the website"])
    account.get_by_role("button", name="Link existing").click()
    account.get_by_label("Search records by name").fill("anna")
    hit = account.locator(".account-hit")
    expect(hit).to_have_count(1, timeout=WAIT_MS)
    hit.click()
    expect(record.locator(".linked-count")).to_have_text("Linked contacts: 2", timeout=WAIT_MS)

    # Either contact's dialog now holds both histories, each with its channel's icon.
    expect(box.locator(".message.from-customer .text")).to_have_text(
        ["Hi from the website", "Hi from WhatsApp"], timeout=WAIT_MS
    )
    expect(box.locator(".message.from-customer .channel-widget")).to_have_count(1)
    expect(box.locator(".message.from-customer .channel-api")).to_have_count(1)
    shots(page, "45-account-linked-merged-history")
    session_row(page, api_sid).click()
    expect(dialog(page).get_by_role("heading", name="Anna S.")).to_be_visible(timeout=WAIT_MS)
    expect(box.locator(".message.from-customer .text")).to_have_text(
        ["Hi from the website", "Hi from WhatsApp"], timeout=WAIT_MS
    )
    expect(record.locator(".linked-count")).to_have_text("Linked contacts: 2", timeout=WAIT_MS)

    # Unlinked, the API contact's dialog is its own again.
    record.get_by_role("button", name="Unlink").click()
    expect(account).to_contain_text("No customer record yet.", timeout=WAIT_MS)
    expect(box.locator(".message.from-customer .text")).to_have_text(
        ["Hi from WhatsApp"], timeout=WAIT_MS
    )
    web_contact = olga.get(f"/api/contacts/{web.contact_id}/account")
    assert web_contact["account"]["title"] == "Anna Smith"
    assert web_contact["linked_contact_ids"] == [web.contact_id]
    no_notice(page)
