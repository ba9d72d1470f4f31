"""Connecting messengers from the live chat admin page: a Telegram bot and an API channel.

What the page shows once (the webhook secret, the channel token) is checked by using it:
Telegram's webhook and the API channel's inbound URL accept a message with it.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api
from tests.e2e.conftest import WAIT_MS, NewPage
from tests.e2e.test_workspace import Shots, no_notice, sign_in

pytestmark = pytest.mark.browser

BOT_TOKEN = "123456789:AAH-test_token-for-livedesk"


def _open_livechat(page: Page, livechat_id: int) -> Locator:
    """The live chat's editor on the admin page (signed in as the admin)."""
    page.get_by_role("button", name="Administration").click()
    page.locator(".admin-tabs").get_by_role("button", name="Live chats").click()
    page.locator(f'.admin-list button[data-livechat-id="{livechat_id}"]').click()
    editor = page.locator(".livechat-editor")
    expect(editor.locator(".channels")).to_be_visible(timeout=WAIT_MS)
    return editor


def _field(form: Locator, name: str) -> Locator:
    """The labelled field holding input ``name`` (its error shows inside it)."""
    return form.locator(".field", has=form.page.locator(f"input[name={name}]"))


def _telegram_update(text: str) -> dict[str, object]:
    person = {"id": 4242, "is_bot": False, "first_name": "Tanya", "username": "tanya_tg"}
    return {
        "update_id": 900001,
        "message": {
            "message_id": 7,
            "from": person,
            "chat": {"id": 4242, "type": "private", "first_name": "Tanya"},
            "date": 1_700_000_000,
            "text": text,
        },
    }


def test_admin_connects_a_telegram_bot(
    admin: Api, server: str, new_page: NewPage, shots: Shots
) -> None:
    chat = admin.post("/api/livechats", {"name": "Messengers"}, expect=201)
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    editor = _open_livechat(page, chat["id"])
    form = editor.get_by_role("form", name="Add Telegram bot")

    # No token, then a malformed one: the error shows next to the field, nothing is made.
    form.get_by_role("button", name="Add Telegram bot").click()
    expect(_field(form, "bot_token").locator(".field-error")).to_be_visible(timeout=WAIT_MS)
    form.get_by_label("Bot token").fill("not a token")
    form.get_by_role("button", name="Add Telegram bot").click()
    expect(_field(form, "bot_token").locator(".field-error")).to_contain_text(
        "Telegram bot token", timeout=WAIT_MS
    )
    assert admin.get(f"/api/livechats/{chat['id']}")["channels"] == []

    form.get_by_label("Bot token").fill(BOT_TOKEN)
    form.get_by_role("button", name="Add Telegram bot").click()
    row = editor.locator('.channel-row[data-channel-kind="telegram"]')
    expect(row).to_have_count(1, timeout=WAIT_MS)
    expect(form.locator(".field-error")).to_have_count(0)
    expect(form.get_by_label("Bot token")).to_have_value("")
    channel_id = int(row.get_attribute("data-channel-id") or 0)
    path = f"/api/channels/telegram/{channel_id}/webhook"
    expect(row.locator(".webhook code")).to_have_text(path)
    # No LIVEDESK_PUBLIC_URL on this server: how to reach Telegram is spelled out.
    expect(row.locator(".hint").first).to_contain_text("LIVEDESK_PUBLIC_URL")
    expect(row).to_contain_text("livedesk telegram set-webhook")
    expect(row).to_contain_text("livedesk telegram poll")
    expect(row).to_contain_text("123456789:")
    expect(row).not_to_contain_text(BOT_TOKEN)
    secret = row.locator(".channel-secret code").inner_text()
    assert len(secret) >= 32
    expect(row).to_contain_text("shown only once")
    shots(page, "21-admin-telegram-channel")
    no_notice(page)

    # The secret shown is the one the webhook checks.
    update = _telegram_update("Hello from Telegram")
    with httpx.Client(base_url=server, timeout=30) as http:
        wrong = http.post(path, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
        assert wrong.status_code == 401
        right = http.post(path, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert right.status_code == 200 and right.json()["stored"] == 1

    # Shown once: after a reload the path stays, the secret is gone.
    page.reload()
    editor = _open_livechat(page, chat["id"])
    row = editor.locator(f'.channel-row[data-channel-id="{channel_id}"]')
    expect(row.locator(".webhook code")).to_have_text(path, timeout=WAIT_MS)
    expect(row.locator(".channel-secret")).to_have_count(0)


def test_admin_adds_an_api_channel(
    admin: Api, server: str, new_page: NewPage, shots: Shots
) -> None:
    chat = admin.post("/api/livechats", {"name": "Integrations"}, expect=201)
    page = new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    editor = _open_livechat(page, chat["id"])
    form = editor.get_by_role("form", name="Add API channel")

    form.get_by_label("Reply URL").fill("ftp://files.example/replies")
    form.get_by_role("button", name="Add API channel").click()
    expect(_field(form, "url").locator(".field-error")).to_contain_text("http", timeout=WAIT_MS)
    assert admin.get(f"/api/livechats/{chat['id']}")["channels"] == []

    reply_url = "https://crm.example/livedesk/replies"
    form.get_by_label("Reply URL").fill(reply_url)
    form.get_by_role("button", name="Add API channel").click()
    row = editor.locator('.channel-row[data-channel-kind="api"]')
    expect(row).to_have_count(1, timeout=WAIT_MS)
    expect(form.locator(".field-error")).to_have_count(0)
    channel_id = int(row.get_attribute("data-channel-id") or 0)
    inbound = f"{server}/api/channels/api/{channel_id}/messages"
    expect(row.locator(".inbound-url code")).to_have_text(inbound)
    expect(row.locator(".reply-url")).to_contain_text(reply_url)
    token = row.locator(".channel-token code").inner_text()
    assert token
    expect(row).to_contain_text("shown only once")
    shots(page, "22-admin-api-channel")
    no_notice(page)

    # The token shown is the channel's: the inbound URL takes a message with it.
    message = {"sender_id": "crm-17", "sender_name": "Carl", "text": "Hi from the CRM"}
    with httpx.Client(timeout=30) as http:
        refused = http.post(inbound, json=message, headers={"Authorization": "Bearer nope"})
        assert refused.status_code == 401
        taken = http.post(inbound, json=message, headers={"Authorization": f"Bearer {token}"})
        assert taken.status_code == 200, taken.text
        assert taken.json()["session_id"] and taken.json()["duplicate"] is False

    detail = admin.get(f"/api/livechats/{chat['id']}")
    assert [(c["kind"], c["config"].get("url")) for c in detail["channels"]] == [("api", reply_url)]
    page.reload()
    editor = _open_livechat(page, chat["id"])
    row = editor.locator(f'.channel-row[data-channel-id="{channel_id}"]')
    expect(row.locator(".inbound-url code")).to_have_text(inbound, timeout=WAIT_MS)
    expect(row.locator(".channel-token")).to_have_count(0)
