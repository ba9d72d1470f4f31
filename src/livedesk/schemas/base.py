"""Shared pydantic bases: strict input models, and the error envelope."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Deliberately loose: self-hosted desks use internal domains (".local", ".lan") that strict
# validators refuse.
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.?[^@\s]*$", max_length=254)]


class In(BaseModel):
    """Request bodies: unknown fields are refused so that typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(Out):
    code: str
    message: str


class ErrorBody(Out):
    error: ErrorDetail
