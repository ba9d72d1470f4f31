"""Field values checked by type, with errors that name the field (no database needed)."""

from __future__ import annotations

from typing import Any

import pytest

from livedesk.lib.errors import ApiError
from livedesk.lib.fields import check_value, check_values, title_of, visible_values

GOOD: list[tuple[str, Any, Any]] = [
    ("string", "  Broken kettle ", "Broken kettle"),
    ("text", "line one\nline two", "line one\nline two"),
    ("number", 12.5, 12.5),
    ("number", -3, -3),
    ("date", "2026-11-25", "2026-11-25"),
    ("boolean", False, False),
    ("select", "open", "open"),
    ("email", "anna@example.com", "anna@example.com"),
    ("phone", "+7 (912) 345-67-89", "+7 (912) 345-67-89"),
    ("contact", 7, 7),
]
BAD: list[tuple[str, Any, str]] = [
    ("string", 12, "must be text"),
    ("string", "x" * 1001, "longer than 1000"),
    ("number", "12", "must be a number"),
    ("number", True, "must be a number"),
    ("number", 1e16, "out of range"),
    ("date", "25.11.2026", "YYYY-MM-DD"),
    ("date", "2026-02-30", "YYYY-MM-DD"),
    ("boolean", "yes", "true or false"),
    ("select", "maybe", "one of: open, closed"),
    ("email", "anna.example.com", "not an e-mail"),
    ("phone", "call me", "not a phone"),
    ("phone", "+1 2", "not a phone"),
    ("contact", "7", "contact id"),
    ("contact", 0, "contact id"),
]


def _field(kind: str) -> dict[str, Any]:
    options = ["open", "closed"] if kind == "select" else None
    return {"key": f"f_{kind}", "label": kind.title(), "type": kind, "options": options}


@pytest.mark.parametrize(("kind", "value", "stored"), GOOD)
def test_good_values_are_stored_normalized(kind: str, value: Any, stored: Any) -> None:
    assert check_value(_field(kind), value) == stored


@pytest.mark.parametrize(("kind", "value", "why"), BAD)
def test_bad_values_are_refused_naming_the_field(kind: str, value: Any, why: str) -> None:
    with pytest.raises(ApiError) as err:
        check_value(_field(kind), value)
    assert err.value.status == 422 and err.value.code == "invalid_field"
    assert err.value.message.startswith(f"fields.f_{kind}:") and why in err.value.message


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_values_are_no_value(empty: Any) -> None:
    assert check_value(_field("string"), empty) is None


FIELDS = [
    {"key": "subject", "label": "Subject", "type": "string", "required": True},
    {"key": "notes", "label": "Notes", "type": "text"},
]


def test_required_fields_on_create_and_edit() -> None:
    with pytest.raises(ApiError, match=r"fields.subject: Subject is required"):
        check_values(FIELDS, {"notes": "n"})
    item = check_values(FIELDS, {"subject": "Refund"})
    # Editing checks only what is given, but a required field cannot be emptied.
    assert check_values(FIELDS, {"notes": "more"}, current=item) == {
        "subject": "Refund",
        "notes": "more",
    }
    with pytest.raises(ApiError, match="Subject is required"):
        check_values(FIELDS, {"subject": ""}, current=item)
    with pytest.raises(ApiError) as err:
        check_values(FIELDS, {"colour": "red"})
    assert err.value.code == "unknown_field" and "fields.colour" in err.value.message


def test_removed_fields_keep_their_values_hidden_and_titles_use_text() -> None:
    stored = {"subject": "Refund", "old": "kept"}
    assert visible_values(FIELDS, stored) == {"subject": "Refund", "notes": None}
    # A field added later as required does not make an old item invalid to edit.
    later = [*FIELDS, {"key": "priority", "label": "P", "type": "number", "required": True}]
    assert check_values(later, {"notes": "x"}, current=stored)["old"] == "kept"
    assert title_of(FIELDS, stored, 5) == "Refund"
    assert title_of(FIELDS, {}, 5) == "#5"
