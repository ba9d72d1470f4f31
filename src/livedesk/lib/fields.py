"""App fields: their definitions, and values checked by type with errors naming the field.

A field definition is ``{key, label, type, required, options}``. Values are stored as
JSON: strings, numbers, booleans, dates as ``YYYY-MM-DD``, a contact as its id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from livedesk.lib.errors import ApiError
from livedesk.lib.textsearch import fold

FIELD_TYPES = (
    "string",
    "text",
    "number",
    "date",
    "boolean",
    "select",
    "email",
    "phone",
    "contact",
)
TEXT_TYPES = frozenset({"string", "text", "email", "phone", "select"})
MAX_STRING_CHARS = 1_000
MAX_TEXT_CHARS = 100_000
MAX_NUMBER = 1e15
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{4,30}$")


def invalid(key: str, message: str) -> ApiError:
    return ApiError(422, "invalid_field", f"fields.{key}: {message}")


def _string(key: str, value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise invalid(key, "must be text")
    if len(value) > limit:
        raise invalid(key, f"is longer than {limit} characters")
    return value.strip() if limit == MAX_STRING_CHARS else value


def _number(key: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(key, "must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise invalid(key, "must be a finite number")
    if abs(value) > MAX_NUMBER:
        raise invalid(key, "is out of range")
    return value


def _date(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise invalid(key, "must be a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else _bad_date(key)
    except ValueError:
        return _bad_date(key)


def _bad_date(key: str) -> str:
    raise invalid(key, "must be a date (YYYY-MM-DD)")


def check_value(field: Mapping[str, Any], value: Any) -> Any:
    """The value to store for ``field``; None when empty. Raises ``invalid_field``."""
    key, kind = str(field["key"]), str(field["type"])
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "string":
        return _string(key, value, MAX_STRING_CHARS) or None
    if kind == "text":
        return _string(key, value, MAX_TEXT_CHARS) or None
    if kind == "number":
        return _number(key, value)
    if kind == "date":
        return _date(key, value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise invalid(key, "must be true or false")
        return value
    if kind == "select":
        options = list(field.get("options") or [])
        if value not in options:
            raise invalid(key, f"must be one of: {', '.join(map(str, options))}")
        return value
    if kind == "email":
        text = _string(key, value, 254)
        if not _EMAIL.match(text):
            raise invalid(key, "is not an e-mail address")
        return text
    if kind == "phone":
        text = _string(key, value, 40)
        if not _PHONE.match(text) or sum(c.isdigit() for c in text) < 5:
            raise invalid(key, "is not a phone number")
        return text
    if kind == "contact":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise invalid(key, "must be a contact id")
        return value
    raise invalid(key, f"has an unknown type {kind!r}")


def check_values(
    fields: Sequence[Mapping[str, Any]],
    given: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Validate ``given`` against the app's fields; the full values to store.

    On create (``current`` None) every required field must have a value. On edit, only
    the fields given are checked and replaced; a required field cannot be emptied, but a
    required field added after an item was created does not make the old item invalid.
    Values of fields the app no longer has are kept as they were.
    """
    by_key = {str(f["key"]): f for f in fields}
    unknown = [k for k in given if k not in by_key]
    if unknown:
        raise ApiError(422, "unknown_field", f"fields.{unknown[0]}: this app has no such field")
    out = dict(current or {})
    for key, value in given.items():
        checked = check_value(by_key[key], value)
        if checked is None:
            out.pop(key, None)
        else:
            out[key] = checked
    for key, f in by_key.items():
        if not f.get("required"):
            continue
        emptied = key in given and key not in out
        if emptied or (current is None and key not in out):
            raise invalid(key, f"{f.get('label') or key} is required")
    return out


def visible_values(
    fields: Sequence[Mapping[str, Any]], values: Mapping[str, Any]
) -> dict[str, Any]:
    """The values of the app's current fields (removed fields' values stay hidden)."""
    return {str(f["key"]): values.get(str(f["key"])) for f in fields}


def title_of(fields: Sequence[Mapping[str, Any]], values: Mapping[str, Any], item_id: int) -> str:
    """A short name for an item: its first text value, else ``#id``."""
    for f in fields:
        value = values.get(str(f["key"]))
        if f["type"] in ("string", "email", "phone", "select") and isinstance(value, str) and value:
            return value[:200]
    return f"#{item_id}"


def searchable(fields: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> str:
    parts = [
        str(values[k])
        for f in fields
        if f["type"] in TEXT_TYPES and isinstance(values.get(k := str(f["key"])), str)
    ]
    return fold(" ".join(parts))
