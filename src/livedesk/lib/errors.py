"""The API's error type: every bad request becomes ``{"error": {"code", "message"}}``."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(what: str = "object") -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def bad_request(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def conflict(code: str, message: str) -> ApiError:
    return ApiError(409, code, message)


def forbidden(code: str, message: str) -> ApiError:
    return ApiError(403, code, message)


def unprocessable(code: str, message: str) -> ApiError:
    return ApiError(422, code, message)
