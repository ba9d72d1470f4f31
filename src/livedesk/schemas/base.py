"""Shared pydantic bases: strict input models, and the error envelope."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
