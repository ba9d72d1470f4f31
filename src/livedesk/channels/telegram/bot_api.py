"""A thin Bot API client over an injected ``httpx.AsyncClient``, and the reply sender."""

from __future__ import annotations

from typing import Any

import httpx

from livedesk.channels.base import Outbound, SendError, retryable_status

# Bot API limits (https://core.telegram.org/bots/api#sendmessage, #sendphoto).
TEXT_LIMIT_CHARS = 4096
CAPTION_LIMIT_CHARS = 1024
# What the webhook receives; anything else is never sent to us.
ALLOWED_UPDATES = ["message", "edited_message"]


class BotApi:
    """``POST {base_url}/bot{token}/{method}`` with a JSON body; ``result`` or ``SendError``."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/bot{token}"

    async def call(
        self, method: str, params: dict[str, Any], wait_secs: float | None = None
    ) -> Any:
        """``wait_secs``: how long the answer may take (long polling), else the client's."""
        try:
            kw: dict[str, Any] = {} if wait_secs is None else {"timeout": wait_secs}
            r = await self._http.post(f"{self._url}/{method}", json=params, **kw)
        except httpx.HTTPError as exc:
            # The message never names the URL: it holds the bot token.
            raise SendError(f"{method}: {type(exc).__name__}", retryable=True) from None
        return _result(method, r)

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
    first one's caption when it fits), the text by sendMessage, split at the limit."""

    def __init__(self, api: BotApi) -> None:
        self._api = api

    async def send(self, out: Outbound) -> str:
        fits = bool(out.attachments) and len(out.text) <= CAPTION_LIMIT_CHARS
        ids = [
            await self._send_attachment(out.recipient, a, out.text if fits and i == 0 else "")
            for i, a in enumerate(out.attachments)
        ]
        rest = "" if fits else out.text
        for chunk in split_text(rest) if rest else []:
            result = await self._api.call("sendMessage", {"chat_id": out.recipient, "text": chunk})
            ids.append(_message_id(result))
        return ids[0] if ids else ""

    async def _send_attachment(self, chat_id: str, attachment: dict[str, Any], caption: str) -> str:
        is_photo = attachment.get("type") == "photo"
        method, field = ("sendPhoto", "photo") if is_photo else ("sendDocument", "document")
        params = {"chat_id": chat_id, field: attachment.get("file_id") or attachment.get("url")}
        if caption:
            params["caption"] = caption
        return _message_id(await self._api.call(method, params))


def _message_id(result: Any) -> str:
    return str(result.get("message_id", "")) if isinstance(result, dict) else ""
