"""Apps and items over HTTP: definitions, validation, schema changes, lists, access,
items created from a chat, customer accounts with merged history, signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from tests.channels.standin import StandIn
from tests.client import Api, Desk

REQUEST_FIELDS = [
    {"key": "subject", "label": "Subject", "type": "string", "required": True},
    {"key": "details", "label": "Details", "type": "text"},
    {"key": "status", "label": "Status", "type": "select", "options": ["open", "done"]},
    {"key": "amount", "label": "Amount", "type": "number"},
    {"key": "due", "label": "Due", "type": "date"},
    {"key": "urgent", "label": "Urgent", "type": "boolean"},
    {"key": "email", "label": "E-mail", "type": "email"},
    {"key": "phone", "label": "Phone", "type": "phone"},
    {"key": "customer", "label": "Customer", "type": "contact"},
]
CUSTOMER_FIELDS = [
    {"key": "name", "label": "Name", "type": "string", "required": True},
    {"key": "phone", "label": "Phone", "type": "phone"},
    {"key": "username", "label": "Username", "type": "string"},
]


def new_app(admin: Api, name: str, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return dict(admin.post("/api/apps", {"name": name, "fields": fields, **extra}, expect=201))


def bind(admin: Api, chat: dict[str, Any], **settings: Any) -> None:
    admin.patch(f"/api/livechats/{chat['id']}", {"settings": settings})


def test_every_field_type_is_validated_with_an_error_naming_the_field(desk: Desk) -> None:
    app = new_app(desk.admin, "Requests", REQUEST_FIELDS)
    op = desk.user()
    bad = {
        "subject": 5,
        "status": "maybe",
        "amount": "ten",
        "due": "tomorrow",
        "urgent": "yes",
        "email": "nope",
        "phone": "call me",
        "customer": 999_999,
    }
    for key, value in bad.items():
        body = {"fields": {"subject": "Kettle", key: value}}
        err = op.post(f"/api/apps/{app['id']}/items", body, expect=422)["error"]
        assert err["code"] == "invalid_field" and err["message"].startswith(f"fields.{key}:")
    missing = op.post(f"/api/apps/{app['id']}/items", {"fields": {"details": "x"}}, 422)
    assert missing["error"]["message"] == "fields.subject: Subject is required"
    unknown = op.post(f"/api/apps/{app['id']}/items", {"fields": {"colour": "red"}}, 422)
    assert unknown["error"]["code"] == "unknown_field"
    good = {
        "subject": "Kettle",
        "details": "It leaks",
        "status": "open",
        "amount": 49.9,
        "due": "2026-12-01",
        "urgent": True,
        "email": "ivan@example.com",
        "phone": "+7 912 345-67-89",
    }
    item = op.post(f"/api/apps/{app['id']}/items", {"fields": good}, expect=201)
    assert item["fields"] == {**good, "customer": None}
    assert item["title"] == "Kettle" and item["created_by"]["id"] == op.id
    assert op.get("/api/apps", expect=200)[0]["webhook_secret"] is None
    # Nothing half-written: only the good item exists.
    assert op.get(f"/api/apps/{app['id']}/items")["total"] == 1


def test_bad_app_definitions_are_refused(desk: Desk) -> None:
    admin, op = desk.admin, desk.user()
    select_without_options = [{"key": "s", "label": "S", "type": "select"}]
    assert admin.post("/api/apps", {"name": "A", "fields": select_without_options}, 422)
    twice = [{"key": "a", "label": "A", "type": "string"}] * 2
    err = admin.post("/api/apps", {"name": "A", "fields": twice}, expect=422)["error"]
    assert "used twice" in err["message"]
    bad_key = [{"key": "Has Space", "label": "A", "type": "string"}]
    assert admin.post("/api/apps", {"name": "A", "fields": bad_key}, expect=422)
    new_app(admin, "Requests", REQUEST_FIELDS)
    taken = admin.post("/api/apps", {"name": "Requests", "fields": []}, expect=409)
    assert taken["error"]["code"] == "app_name_taken"
    forbidden = op.post("/api/apps", {"name": "Mine", "fields": []}, expect=403)
    assert forbidden["error"]["code"]


def test_changing_an_app_never_breaks_its_items(desk: Desk) -> None:
    admin, op = desk.admin, desk.user()
    app = new_app(admin, "Requests", REQUEST_FIELDS[:3])
    path = f"/api/apps/{app['id']}"
    item = op.post(f"{path}/items", {"fields": {"subject": "Old", "details": "d"}}, 201)
    # Add a required field, remove one, relabel one.
    fields = [
        {**REQUEST_FIELDS[0], "label": "Topic"},
        REQUEST_FIELDS[2],
        {"key": "priority", "label": "Priority", "type": "number", "required": True},
    ]
    admin.patch(path, {"fields": fields})
    old = op.get(f"{path}/items/{item['id']}")
    assert old["fields"] == {"subject": "Old", "status": None, "priority": None}
    # The old item is still editable without the new required field ...
    edited = op.patch(f"{path}/items/{item['id']}", {"fields": {"status": "done"}})
    assert edited["fields"]["status"] == "done"
    # ... new items need it ...
    assert op.post(f"{path}/items", {"fields": {"subject": "New"}}, expect=422)
    # ... and a removed field comes back with its value when re-added.
    admin.patch(path, {"fields": [*fields, REQUEST_FIELDS[1]]})
    assert op.get(f"{path}/items/{item['id']}")["fields"]["details"] == "d"
    retyped = [{**REQUEST_FIELDS[0], "type": "number"}]
    err = admin.patch(path, {"fields": retyped}, expect=409)["error"]
    assert err["code"] == "field_type_changed" and "fields.subject" in err["message"]


def test_items_are_paged_sorted_filtered_and_searched(desk: Desk) -> None:
    app = new_app(desk.admin, "Requests", REQUEST_FIELDS)
    op = desk.user()
    path = f"/api/apps/{app['id']}/items"
    for n, (subject, status) in enumerate(
        [("Чайник течёт", "open"), ("Refund", "done"), ("Kettle leaks", "open"), ("Noise", "done")]
    ):
        op.post(path, {"fields": {"subject": subject, "status": status, "amount": n}}, 201)
    page = op.get(path, params={"limit": 3})
    assert page["total"] == 4 and len(page["items"]) == 3 and page["next_offset"] == 3
    assert [i["title"] for i in page["items"]] == ["Noise", "Kettle leaks", "Refund"]
    rest = op.get(path, params={"limit": 3, "offset": 3})
    assert [i["title"] for i in rest["items"]] == ["Чайник течёт"] and rest["next_offset"] is None
    by_amount = op.get(path, params={"sort": "-amount"})["items"]
    assert [i["fields"]["amount"] for i in by_amount] == [3, 2, 1, 0]
    open_ = op.get(path, params={"status": "open", "sort": "subject"})["items"]
    assert [i["title"] for i in open_] == ["Kettle leaks", "Чайник течёт"]
    assert [i["title"] for i in op.get(path, params={"q": "ЧАЙНИК"})["items"]] == ["Чайник течёт"]
    assert op.get(path, params={"q": "leak", "status": "done"})["total"] == 0
    assert op.get(path, params={"colour": "red"}, expect=400)["error"]["code"] == "invalid_filter"
    assert op.get(path, params={"sort": "colour"}, expect=400)["error"]["code"] == "invalid_sort"


def test_an_item_created_from_a_chat_is_linked_and_shown_only_to_that_chat(desk: Desk) -> None:
    app = new_app(desk.admin, "Requests", REQUEST_FIELDS)
    op, outsider = desk.user("Olga"), desk.user("Outsider")
    chat = desk.livechat(operators=[op])
    desk.livechat("Other", operators=[outsider])
    visitor = desk.visitor(chat, "Ivan")
    sid = visitor.say("My kettle leaks")["session_id"]
    op.post(f"/api/sessions/{sid}/take")
    unbound = op.post(f"/api/sessions/{sid}/items", {"fields": {"subject": "x"}}, expect=409)
    assert unbound["error"]["code"] == "no_item_app"
    bind(desk.admin, chat, item_app_id=app["id"])
    body = {"fields": {"subject": "Leaking kettle", "customer": visitor.contact_id}}
    created = op.post(f"/api/sessions/{sid}/items", body, expect=201)
    item = created["item"]
    assert item["session_id"] == sid and item["contact_id"] == visitor.contact_id
    assert created["message"]["system"]["kind"] == "item_created"
    assert created["message"]["system"]["item_id"] == item["id"]
    dialog = op.get(f"/api/sessions/{sid}/messages")["items"]
    assert dialog[0]["system"]["title"] == "Leaking kettle"
    # The customer never sees it; the contact's items list it.
    kinds = [(m.get("system") or {}).get("kind") for m in visitor.history()]
    assert "item_created" not in kinds
    assert [i["id"] for i in op.get(f"/api/contacts/{visitor.contact_id}/items")] == [item["id"]]
    # An operator of another live chat sees nothing of it.
    assert outsider.get(f"/api/apps/{app['id']}/items/{item['id']}", expect=404)
    assert outsider.get(f"/api/apps/{app['id']}/items")["total"] == 0
    assert outsider.patch(
        f"/api/apps/{app['id']}/items/{item['id']}", {"fields": {"subject": "x"}}, expect=404
    )
    assert outsider.get(f"/api/contacts/{visitor.contact_id}/items", expect=404)
    assert outsider.post(f"/api/sessions/{sid}/items", body, expect=404)
    # A contact field cannot point at a contact the user cannot see.
    err = outsider.post(f"/api/apps/{app['id']}/items", body, expect=422)["error"]
    assert err["message"] == "fields.customer: no such contact"
    unknown_app = desk.admin.patch(
        f"/api/livechats/{chat['id']}", {"settings": {"customer_app_id": 999_999}}, expect=422
    )
    assert unknown_app["error"]["code"] == "unknown_app"


def test_account_registers_a_customer_and_merges_the_history_of_linked_contacts(
    desk: Desk,
) -> None:
    customers = new_app(desk.admin, "Customers", CUSTOMER_FIELDS)
    op = desk.user()
    chat = desk.livechat(operators=[op])
    on_web = desk.visitor(chat, "Ivan Petrov")
    on_phone = desk.visitor(chat, "Ivan P.")
    s1 = on_web.say("hello from the website")["session_id"]
    s2 = on_phone.say("hello from my phone")["session_id"]
    nobody = op.post(f"/api/contacts/{on_web.contact_id}/account", {"fields": {}}, expect=409)
    assert nobody["error"]["code"] == "no_customer_app"
    bind(desk.admin, chat, customer_app_id=customers["id"])
    both = op.post(
        f"/api/contacts/{on_web.contact_id}/account",
        {"fields": {"name": "Ivan"}, "item_id": 1},
        expect=422,
    )
    assert both["error"]["code"] == "validation_error"
    made = op.post(
        f"/api/contacts/{on_web.contact_id}/account",
        {"fields": {"name": "Ivan Petrov", "phone": "+7 912 000-00-01"}},
    )
    record = made["account"]
    assert record["fields"]["name"] == "Ivan Petrov" and made["linked_contact_ids"] == [
        on_web.contact_id
    ]
    found = op.get(f"/api/apps/{customers['id']}/items", params={"q": "petrov"})["items"]
    assert [i["id"] for i in found] == [record["id"]]
    linked = op.post(f"/api/contacts/{on_phone.contact_id}/account", {"item_id": record["id"]})
    assert linked["linked_contact_ids"] == sorted([on_web.contact_id, on_phone.contact_id])
    assert op.get(f"/api/contacts/{on_phone.contact_id}")["account_item_id"] == record["id"]
    # Either session's dialog now shows both contacts' messages, and search covers both.
    for sid in (s1, s2):
        texts = {m["text"] for m in op.get(f"/api/sessions/{sid}/messages")["items"]}
        assert {"hello from the website", "hello from my phone"} <= texts
    hits = op.get("/api/search", params={"q": "website", "session_id": s2})["messages"]
    assert [h["session_id"] for h in hits] == [s1]
    unlinked = op.request("DELETE", f"/api/contacts/{on_phone.contact_id}/account")
    assert unlinked["account"] is None
    texts = {m["text"] for m in op.get(f"/api/sessions/{s2}/messages")["items"]}
    assert "hello from the website" not in texts


def test_item_changes_reach_the_webhook_signed_and_retried(desk: Desk, standin: StandIn) -> None:
    app = new_app(desk.admin, "Requests", REQUEST_FIELDS, webhook_url=f"{standin.url}/crm")
    secret = desk.admin.get(f"/api/apps/{app['id']}")["webhook_secret"]
    assert secret
    op = desk.user()
    standin.script("crm", (500, {"error": "down"}), (503, {"error": "busy"}))
    item = op.post(f"/api/apps/{app['id']}/items", {"fields": {"subject": "Kettle"}}, 201)
    standin.wait_for(lambda s: s.requests("crm")[-1:] and s.requests("crm")[-1].status == 200)
    calls = standin.requests("crm")
    assert [c.status for c in calls] == [500, 503, 200]
    assert len({c.headers["x-livedesk-delivery"] for c in calls}) == 1, "retries: same id"
    assert len({c.body for c in calls}) == 1, "retries: same body"
    assert calls[0].json["event"] == "item.created"
    assert calls[0].json["item"]["fields"]["subject"] == "Kettle"
    op.patch(f"/api/apps/{app['id']}/items/{item['id']}", {"fields": {"status": "done"}})
    standin.wait_for(lambda s: len(s.requests("crm")) == 4, why="the change delivered")
    calls = standin.requests("crm")
    assert calls[3].json["event"] == "item.updated"
    assert calls[3].json["item"]["fields"]["status"] == "done"
    for c in calls:
        expected = "sha256=" + hmac.new(secret.encode(), c.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(c.headers["x-livedesk-signature"], expected)
