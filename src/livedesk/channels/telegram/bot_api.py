"""A thin Bot API client over an injected ``httpx.AsyncClient``, and the reply sender."""

from __future__ import annotations

from typing import Any

import httpx

from livedesk.channels.base import FileBytes, Outbound, SendError, retryable_status

# Bot API limits (https://core.telegram.org/bots/api#sendmessage, #sendphoto, #getfile).
TEXT_LIMIT_CHARS = 4096
CAPTION_LIMIT_CHARS = 1024
PHOTO_LIMIT_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# What the webhook receives; anything else is never sent to us.
ALLOWED_UPDATES = ["message", "edited_message"]
# A contact's avatar: the smallest profile photo size at least this wide and high.
AVATAR_MIN_PX = 160


class BotApi:
    """``POST {base_url}/bot{token}/{method}``; ``result`` or ``SendError``. No message of a
    ``SendError`` ever names a URL: they hold the bot token."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/bot{token}"
        self._file_url = f"{base_url.rstrip('/')}/file/bot{token}"

    async def call(
        self,
        method: str,
        params: dict[str, Any],
        wait_secs: float | None = None,
        files: dict[str, FileBytes] | None = None,
    ) -> Any:
        """A JSON body, or with ``files`` a multipart upload (``params`` as form fields).
        ``wait_secs``: how long the answer may take (long polling), else the client's."""
        kw: dict[str, Any] = {} if wait_secs is None else {"timeout": wait_secs}
        if files:
            kw["data"] = {k: str(v) for k, v in params.items()}
            kw["files"] = {k: (f.name, f.data, f.content_type) for k, f in files.items()}
        else:
            kw["json"] = params
        try:
            r = await self._http.post(f"{self._url}/{method}", **kw)
        except httpx.HTTPError as exc:
            raise SendError(f"{method}: {type(exc).__name__}", retryable=True) from None
        return _result(method, r)

    async def fetch_file(self, file_id: str) -> tuple[bytes, str]:
        """A file's bytes and content type: getFile, then the download (at most 20 MB)."""
        info = await self.call("getFile", {"file_id": file_id})
        path = info.get("file_path") if isinstance(info, dict) else None
        if not isinstance(path, str) or not path:
            raise SendError("getFile: Telegram gave no file_path", retryable=False)
        try:
            r = await self._http.get(f"{self._file_url}/{path}")
        except httpx.HTTPError as exc:
            raise SendError(f"file download: {type(exc).__name__}", retryable=True) from None
        if not r.is_success:
            status = r.status_code
            raise SendError(f"file download: {status}", retryable=retryable_status(status))
        return r.content, r.headers.get("content-type", "")

    async def profile_photo(self, user_id: str) -> dict[str, Any] | None:
        """The user's current profile photo in the size an avatar needs; None without one."""
        user: int | str = int(user_id) if user_id.isdigit() else user_id
        result = await self.call("getUserProfilePhotos", {"user_id": user, "limit": 1})
        photos = result.get("photos") if isinstance(result, dict) else None
        if not isinstance(photos, list) or not photos or not isinstance(photos[0], list):
            return None
        return avatar_size([p for p in photos[0] if isinstance(p, dict) and "file_id" in p])

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call(
            "setWebhook",
            {"url": url, "secret_token": secret_token, "allowed_updates": ALLOWED_UPDATES},
        )

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook", {})

    async def get_updates(self, offset: int | None, timeout_secs: int) -> list[dict[str, Any]]:
        """Long polling: waits up to ``timeout_secs`` on Telegram's side for new updates."""
        params: dict[str, Any] = {"timeout": timeout_secs, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        result = await self.call("getUpdates", params, wait_secs=timeout_secs + 10.0)
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []


async def fetch_file(
    http: httpx.AsyncClient, base_url: str, config: dict[str, Any], remote_id: str
) -> tuple[bytes, str]:
    """A file the channel (``config``: its settings) received: bytes and content type."""
    return await BotApi(http, base_url, str(config.get("bot_token", ""))).fetch_file(remote_id)


def _area(size: dict[str, Any]) -> int:
    return int(size.get("width", 0)) * int(size.get("height", 0))


def avatar_size(sizes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The smallest size at least ``AVATAR_MIN_PX`` on both sides, else the largest."""
    big_enough = [s for s in sizes if min(s.get("width", 0), s.get("height", 0)) >= AVATAR_MIN_PX]
    if big_enough:
        return min(big_enough, key=_area)
    return max(sizes, key=_area, default=None)


def _result(method: str, r: httpx.Response) -> Any:
    try:
        body = r.json()
    except ValueError:
        body = {}
    if r.is_success and isinstance(body, dict) and body.get("ok"):
        return body.get("result")
    if not isinstance(body, dict):
        body = {}
    description = str(body.get("description") or r.reason_phrase or "error")
    params = body.get("parameters")
    retry_after = params.get("retry_after") if isinstance(params, dict) else None
    raise SendError(
        f"{method}: {r.status_code} {description}",
        retryable=retryable_status(r.status_code),
        retry_after_secs=float(retry_after) if isinstance(retry_after, int | float) else None,
    )


def split_text(text: str, limit: int = TEXT_LIMIT_CHARS) -> list[str]:
    """Chunks of at most ``limit`` characters, cut at a line break where there is one."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*chunks, text] if text or not chunks else chunks


class TelegramSender:
    """Sends an operator's reply: attachments by sendPhoto / sendDocument (the text as the
    first one's caption when it fits), the text by sendMessage, split at the limit.

    An attachment whose bytes are in ``out.files`` is uploaded (multipart); one without
    goes by its ``file_id`` or ``url`` (which Telegram must be able to fetch)."""

    def __init__(self, api: BotApi) -> None:
        self._api = api

    async def send(self, out: Outbound) -> str:
        fits = bool(out.attachments) and len(out.text) <= CAPTION_LIMIT_CHARS
        ids = []
        for i, attachment in enumerate(out.attachments):
            caption = out.text if fits and i == 0 else ""
            ids.append(await self._send_attachment(out, attachment, caption))
        rest = "" if fits else out.text
        for chunk in split_text(rest) if rest else []:
            result = await self._api.call("sendMessage", {"chat_id": out.recipient, "text": chunk})
            ids.append(_message_id(result))
        return ids[0] if ids else ""

    async def _send_attachment(
        self, out: Outbound, attachment: dict[str, Any], caption: str
    ) -> str:
        data = out.files.get(attachment["id"]) if isinstance(attachment.get("id"), int) else None
        method, field = _method_for(attachment, data)
        params: dict[str, Any] = {"chat_id": out.recipient}
        if caption:
            params["caption"] = caption
        if data is not None:
            return _message_id(await self._api.call(method, params, files={field: data}))
        params[field] = attachment.get("file_id") or attachment.get("url")
        return _message_id(await self._api.call(method, params))


def _method_for(attachment: dict[str, Any], data: FileBytes | None) -> tuple[str, str]:
    """sendPhoto for the images Telegram shows as photos, sendDocument for anything else."""
    if data is not None:
        is_photo = data.content_type in PHOTO_TYPES and len(data.data) <= PHOTO_LIMIT_BYTES
    else:
        is_photo = attachment.get("type") in ("photo", "image")
    return ("sendPhoto", "photo") if is_photo else ("sendDocument", "document")


def _message_id(result: Any) -> str:
    return str(result.get("message_id", "")) if isinstance(result, dict) else ""
