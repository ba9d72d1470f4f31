"""The operator workspace in real browsers: several users at once, live updates, XSS safety.

Each user has a browser context of their own (own cookies, own event socket); the customer
writes through the widget API. Every wait is bounded by WAIT_MS (10 s).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.client import Api, Desk, Visitor
from tests.e2e.conftest import WAIT_MS, NewPage

pytestmark = pytest.mark.browser

PASSWORD = "pass1234"  # what Desk.user gives every user it makes
XSS = '<img src=x onerror="window.__xss=1">'

Shots = Callable[[Page, str], Path]


# --- page helpers -------------------------------------------------------------------


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/")
    form = page.get_by_role("form", name="Sign in")
    expect(form).to_be_visible(timeout=WAIT_MS)
    form.get_by_label("E-mail").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()


def sign_in_as(page: Page, user: Api) -> None:
    sign_in(page, user.user["email"], PASSWORD)
    expect(page.locator(".topbar .user")).to_have_text(user.user["name"], timeout=WAIT_MS)


def group_button(page: Page, group: str) -> Locator:
    return page.locator(f'.livechat-menu button.group[data-group="{group}"]')


def show_group(page: Page, group: str) -> None:
    button = group_button(page, group)
    button.click()
    expect(button).to_have_attribute("aria-current", "true", timeout=WAIT_MS)


def session_row(page: Page, session_id: int) -> Locator:
    return page.locator(f'.session-list button.session-row[data-session-id="{session_id}"]')


def blue_count(page: Page) -> Locator:
    return page.locator(".bottombar .counter.blue .count")


def red_count(page: Page) -> Locator:
    return page.locator(".topbar .counter.red")


def dialog(page: Page) -> Locator:
    return page.locator("section.dialog:not(.empty)")


def xss_fired(page: Page) -> Any:
    return page.evaluate("() => window.__xss")


def no_notice(page: Page) -> None:
    """No error toast is showing (the UI shows API errors there)."""
    expect(page.locator(".notice")).to_have_count(0, timeout=WAIT_MS)


def eventually(check: Callable[[], bool], what: str, timeout_s: float = WAIT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.1)


def customer_texts(visitor: Visitor) -> list[str]:
    return [m["text"] for m in visitor.history() if m["author"]["kind"] != "system"]


# --- tests --------------------------------------------------------------------------


def test_two_operators_and_a_supervisor_work_one_chat_live(
    desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    oleg = desk.user("Oleg Operator")
    sveta = desk.user("Sveta Supervisor")
    chat = desk.livechat("Support", operators=[olga, oleg], supervisors=[sveta])

    # Three people sign in through the login form, each in a context of their own.
    op1, op2, sup = new_page(), new_page(), new_page()
    sign_in_as(op1, olga)
    sign_in_as(op2, oleg)
    sign_in_as(sup, sveta)
    for op in (op1, op2):
        # An operator lands in "My chats"; watch "Unassigned", still empty.
        expect(group_button(op, "mine")).to_have_attribute("aria-current", "true")
        show_group(op, "unassigned")
        expect(op.locator(".session-list")).to_contain_text("No chats here.")
        expect(blue_count(op)).to_have_text("0")
    # A supervisor lands in "Unassigned".
    expect(group_button(sup, "unassigned")).to_have_attribute("aria-current", "true")
    expect(red_count(sup)).to_have_text("0")

    # A customer writes through the widget: the session appears everywhere, no reload.
    visitor = desk.visitor(chat, "Ivan Customer")
    session_id = int(visitor.say("Hello, I need help")["session_id"])
    for page in (op1, op2, sup):
        row = session_row(page, session_id)
        expect(row).to_be_visible(timeout=WAIT_MS)
        expect(row.locator(".session-name")).to_have_text("Ivan Customer")
        expect(row.locator(".badge-new")).to_have_text("New")
        expect(row.locator(".preview")).to_have_text("Hello, I need help")
        expect(row.locator(".unread")).to_have_text("1")
    for op in (op1, op2):
        expect(blue_count(op)).to_have_text("1", timeout=WAIT_MS)
        expect(red_count(op)).to_have_text("0")
    # The supervisor's red counter counts unassigned sessions of supervised chats.
    expect(red_count(sup)).to_have_text("1", timeout=WAIT_MS)
    shots(op2, "02-operator-unassigned-new-session")
    shots(sup, "03-supervisor-unassigned")

    # Operator 1 opens it and takes it.
    session_row(op1, session_id).click()
    box = dialog(op1)
    expect(box.get_by_role("heading", name="Ivan Customer")).to_be_visible(timeout=WAIT_MS)
    expect(box.locator(".status")).to_have_text("unassigned")
    expect(box.locator(".message.from-customer .text")).to_have_text(["Hello, I need help"])
    shots(op1, "04-dialog-unassigned")
    box.get_by_role("button", name="Take", exact=True).click()
    expect(box.locator(".status")).to_have_text("active", timeout=WAIT_MS)
    expect(box).to_contain_text("Assigned to: Olga Operator")
    expect(box.get_by_role("button", name="Take", exact=True)).to_have_count(0)
    no_notice(op1)

    # Operator 2 (and operator 1's own list) see it leave "Unassigned" live.
    for op in (op1, op2):
        expect(session_row(op, session_id)).to_have_count(0, timeout=WAIT_MS)
        expect(blue_count(op)).to_have_text("0", timeout=WAIT_MS)
    expect(session_row(sup, session_id)).to_have_count(0, timeout=WAIT_MS)
    expect(red_count(sup)).to_have_text("0", timeout=WAIT_MS)
    expect(op2.locator(".session-list")).to_contain_text("No chats here.")

    # Operator 1 replies with Enter; the customer's history holds the reply.
    reply = "Hi Ivan, how can I help?"
    composer = box.locator("textarea[name=text]")
    composer.fill(reply)
    composer.press("Enter")
    expect(box.locator(".message.from-operator .text")).to_have_text([reply], timeout=WAIT_MS)
    expect(composer).to_have_value("", timeout=WAIT_MS)
    eventually(
        lambda: customer_texts(visitor) == ["Hello, I need help", reply],
        "the operator's reply in the customer's history",
    )

    # The customer sends markup: every browser shows it as text and runs none of it.
    visitor.say(XSS)
    customer_lines = box.locator(".message.from-customer .text")
    expect(customer_lines).to_have_text(["Hello, I need help", XSS], timeout=WAIT_MS)
    expect(box.locator(".messages img")).to_have_count(0)
    show_group(sup, "active")
    sup_row = session_row(sup, session_id)
    expect(sup_row.locator(".preview")).to_have_text(XSS, timeout=WAIT_MS)
    expect(sup.locator(".session-list img")).to_have_count(0)
    sup_row.click()
    expect(dialog(sup).locator(".message.from-customer .text").last).to_have_text(
        XSS, timeout=WAIT_MS
    )
    expect(dialog(sup).locator(".messages img")).to_have_count(0)
    shots(op1, "05-dialog-active-conversation")
    shots(sup, "06-supervisor-active-dialog")

    # Operator 1 closes the session (the cross next to the customer's name).
    box.get_by_role("button", name="Close chat").click()
    expect(box.locator(".status")).to_have_text("closed", timeout=WAIT_MS)
    expect(box.locator("textarea")).to_have_count(0)
    expect(box.get_by_role("button", name="Close chat")).to_have_count(0)
    no_notice(op1)
    assert olga.get(f"/api/sessions/{session_id}")["status"] == "closed"
    show_group(op1, "closed")
    expect(session_row(op1, session_id)).to_be_visible(timeout=WAIT_MS)
    expect(dialog(sup).locator(".status")).to_have_text("closed", timeout=WAIT_MS)
    shots(op1, "07-operator-closed")

    # By now the broken image would long have fired its onerror had it been markup.
    for page in (op1, op2, sup):
        assert xss_fired(page) is None, "the customer's markup ran in the operator's page"


def test_sign_in_screens(desk: Desk, new_page: NewPage, shots: Shots) -> None:
    newcomer = desk.user("Nina Newcomer")
    page = new_page()

    page.goto("/")
    form = page.get_by_role("form", name="Sign in")
    expect(form).to_be_visible(timeout=WAIT_MS)
    shots(page, "01-login")

    sign_in(page, newcomer.user["email"], "wrong-password")
    expect(form.get_by_role("alert")).to_have_text("Wrong e-mail or password", timeout=WAIT_MS)
    shots(page, "01-login-failed")

    sign_in_as(page, newcomer)
    expect(page.locator(".sidebar")).to_contain_text("You are not a member of any live chat yet.")
    expect(page.locator(".dialog.empty")).to_have_text("Pick a chat on the left.")
    shots(page, "08-workspace-no-livechats")

    page.get_by_label("Language").select_option("ru")
    expect(page.locator(".dialog.empty")).to_have_text("Выберите чат слева.", timeout=WAIT_MS)
    shots(page, "09-workspace-russian")

    # The language sticks across a reload, and the cookie keeps the user signed in.
    page.reload()
    expect(page.locator(".topbar .user")).to_have_text("Nina Newcomer", timeout=WAIT_MS)
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("form", name="Войти")).to_be_visible(timeout=WAIT_MS)

    saved = sorted(p.name for p in Path(shots(page, "10-login-russian")).parent.glob("*.png"))
    assert {"01-login.png", "01-login-failed.png", "10-login-russian.png"} <= set(saved)
