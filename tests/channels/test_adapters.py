"""The adapters on their own: fixtures parsed, Bot API answers turned into SendError, the
backoff schedule. Outbound HTTP through httpx.MockTransport."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx

from livedesk.channels.base import FileBytes, Outbound, SendError
from livedesk.channels.telegram import BotApi, TelegramSender, parse
from livedesk.channels.telegram.bot_api import TEXT_LIMIT_CHARS, avatar_size, split_text
from livedesk.config import Settings
from livedesk.jobs.outbox import retry_at
from livedesk.models.base import utcnow
from tests.channels.helpers import BOT_TOKEN, update

Handler = Any


def _send(handler: Handler, out: Outbound) -> tuple[str, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)  # type: ignore[no-any-return]

    async def run() -> str:
        async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as http:
            return await TelegramSender(BotApi(http, "https://tg.test", BOT_TOKEN)).send(out)

    return asyncio.run(run()), seen


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": {"message_id": 7}})


def _error(err: SendError | None = None, **answer: Any) -> SendError:
    def handler(request: httpx.Request) -> httpx.Response:
        if err is not None:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(answer.pop("status"), json=answer)

    try:
        _send(handler, Outbound(recipient="1", text="x"))
    except SendError as caught:
        return caught
    raise AssertionError("no SendError")


def test_fixtures_parse_with_name_username_and_placeholders() -> None:
    [text] = parse(update("text"))
    assert text.sender.name == "Marta Kowalska" and text.sender.username == "marta_k"
    assert text.dedupe_key == "812345670" and text.external_id == "534879201:101"
    assert [parse(update(n))[0].text for n in ("voice", "sticker", "document")] == [
        "[Voice message]",
        "[Sticker 👍]",
        "[Document]",
    ]
    [edit] = parse(update("edited_message"))
    assert edit.edited and edit.external_id == text.external_id
    assert parse(update("group_message")) == [] and parse({"update_id": 1}) == []
    bot = update("text")
    bot["message"]["from"]["is_bot"] = True
    assert parse(bot) == []


def test_media_become_files_the_channel_holds() -> None:
    [photo] = parse(update("photo"))[0].attachments
    assert photo == {
        "type": "photo",
        "label": "Photo",
        "remote_id": "AgACAgIAAxkBAAIBZ2dFk0_large",
        "name": "photo.jpg",
        "content_type": "image/jpeg",
        "size": 81920,
    }
    [sticker] = parse(update("sticker"))[0].attachments
    assert (sticker["name"], sticker["content_type"]) == ("sticker.tgs", "application/x-tgsticker")
    [voice] = parse(update("voice"))[0].attachments
    assert (voice["content_type"], voice["duration"]) == ("audio/ogg", 4)
    location = update("text")
    location["message"]["location"] = {"latitude": 52.2, "longitude": 21.0}
    del location["message"]["text"]
    assert parse(location)[0].attachments == [{"type": "location", "label": "Location"}]


def test_the_avatar_is_the_smallest_photo_size_big_enough() -> None:
    sizes = [{"file_id": str(px), "width": px, "height": px} for px in (80, 320, 160, 640)]
    assert (avatar_size(sizes) or {})["file_id"] == "160"
    assert (avatar_size(sizes[:1]) or {})["file_id"] == "80"
    assert avatar_size([]) is None


def test_uploaded_files_go_as_multipart_photo_or_document() -> None:
    png = FileBytes("a.png", "image/png", b"\x89PNG...")
    pdf = FileBytes("b.pdf", "application/pdf", b"%PDF-1.7")
    out = Outbound(
        recipient="42",
        text="Both",
        attachments=[{"id": 1, "type": "image"}, {"id": 2, "type": "file"}],
        files={1: png, 2: pdf},
    )
    _, seen = _send(_ok, out)
    assert [r.url.path.rsplit("/", 1)[1] for r in seen] == ["sendPhoto", "sendDocument"]
    assert all(r.headers["content-type"].startswith("multipart/form-data") for r in seen)
    assert b'name="caption"' in seen[0].content and b"Both" in seen[0].content
    assert b'filename="b.pdf"' in seen[1].content and b"%PDF-1.7" in seen[1].content
    assert b'name="caption"' not in seen[1].content


def test_a_photo_reply_uses_send_photo_with_the_text_as_caption() -> None:
    out = Outbound(recipient="42", text="Here", attachments=[{"type": "photo", "url": "u"}])
    external_id, seen = _send(_ok, out)
    assert external_id == "7"
    assert [r.url.path for r in seen] == [f"/bot{BOT_TOKEN}/sendPhoto"]
    assert json.loads(seen[0].content) == {"chat_id": "42", "photo": "u", "caption": "Here"}
    doc = Outbound(recipient="42", text="", attachments=[{"type": "file", "url": "d"}])
    assert _send(_ok, doc)[1][0].url.path.endswith("/sendDocument")


def test_long_replies_are_split_at_the_bot_api_limit() -> None:
    text = ("line\n" * 2000).strip()
    chunks = split_text(text)
    assert all(len(c) <= TEXT_LIMIT_CHARS for c in chunks) and len(chunks) == 3
    _, seen = _send(_ok, Outbound(recipient="42", text=text))
    assert len(seen) == 3


def test_bot_api_answers_become_send_errors() -> None:
    limited = _error(
        status=429, ok=False, description="Too Many Requests", parameters={"retry_after": 3}
    )
    assert limited.retryable and limited.retry_after_secs == 3.0
    assert _error(status=502, ok=False, description="Bad Gateway").retryable
    blocked = _error(status=403, ok=False, description="Forbidden: bot was blocked by the user")
    assert not blocked.retryable and "blocked" in blocked.reason
    down = _error(SendError("x", retryable=True))
    assert down.retryable and BOT_TOKEN not in down.reason


def test_backoff_doubles_honours_retry_after_and_gives_up() -> None:
    settings = Settings(_env_file=None, outbox_backoff_base_secs=2.0, outbox_max_attempts=4)
    transient = SendError("503", retryable=True)

    def delay(attempts: int, err: SendError) -> float | None:
        when = retry_at(settings, attempts, err)
        return None if when is None else round((when - utcnow()) / timedelta(seconds=1))

    assert [delay(n, transient) for n in (1, 2, 3, 4)] == [2, 4, 8, None]
    assert delay(1, SendError("429", retryable=True, retry_after_secs=30)) == 30
    assert delay(1, SendError("403", retryable=False)) is None
