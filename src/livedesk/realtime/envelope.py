"""An event on its way to sockets: id (None for ephemeral events), type, data, recipients.

A recipient is ``u<user id>`` (an operator's or supervisor's sockets) or ``c<contact id>``
(a widget visitor's sockets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson


def user_recipient(user_id: int) -> str:
    return f"u{user_id}"


def contact_recipient(contact_id: int) -> str:
    return f"c{contact_id}"


@dataclass(frozen=True, slots=True)
class Envelope:
    id: int | None
    type: str
    data: dict[str, Any]
    recipients: tuple[str, ...]
    _frame: list[bytes] = field(default_factory=list, compare=False, repr=False)

    def frame(self) -> bytes:
        """The client frame ``{"id", "type", "data"}``, serialized once for every socket."""
        if not self._frame:
            self._frame.append(orjson.dumps({"id": self.id, "type": self.type, "data": self.data}))
        return self._frame[0]

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "data": self.data, "to": list(self.recipients)}

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> Envelope:
        return cls(raw["id"], raw["type"], raw["data"], tuple(raw["to"]))
