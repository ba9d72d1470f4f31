"""Search: chat names and message history, case-insensitive and Unicode-aware.

Matching is substring on text folded in Python (``textsearch.fold``), so that Cyrillic
folds exactly like Latin on both engines; ``db.dialect`` picks the index that serves it.
Callers pass the visibility rule; nothing here decides who may see what.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from livedesk.db.dialect import FoldedColumn, contains_folded
from livedesk.lib.textsearch import fold
from livedesk.models import AuthorKind, ChatSession, Message

DEFAULT_LIMIT = 50

_SESSION_NAME = FoldedColumn(ChatSession.search_name, ChatSession.id, "sessions_fts")
_MESSAGE_TEXT = FoldedColumn(Message.search_text, Message.id, "messages_fts")


def normalize_query(q: str) -> str:
    """The query as it is matched: folded like the stored text, outer whitespace dropped."""
    return fold(q).strip()


async def search_session_ids(
    db: AsyncSession, q: str, visible: ColumnElement[bool], limit: int = DEFAULT_LIMIT
) -> list[int]:
    """Ids of sessions whose name contains ``q``, newest activity first.

    ``visible`` is the caller's rule over ``ChatSession`` columns (see ``lib.access``);
    only sessions it admits are returned. An empty query returns nothing.
    """
    needle = normalize_query(q)
    if not needle:
        return []
    stmt = (
        select(ChatSession.id)
        .where(contains_folded(db, _SESSION_NAME, needle), visible)
        .order_by(ChatSession.last_activity_at.desc(), ChatSession.id.desc())
        .limit(limit)
    )
    return list((await db.scalars(stmt)).all())


async def search_message_ids(
    db: AsyncSession,
    q: str,
    livechat_id: int,
    contact_ids: Sequence[int],
    limit: int = DEFAULT_LIMIT,
) -> list[int]:
    """Ids of the contacts' messages in a live chat (all their sessions) containing ``q``
    (one contact, or the contacts linked to one customer record).

    Newest first. System lines (assigned, closed, ...) are not searchable text. The caller
    has already checked that the user may see this contact's history.
    """
    needle = normalize_query(q)
    if not needle:
        return []
    stmt = (
        select(Message.id)
        .where(
            Message.livechat_id == livechat_id,
            Message.contact_id.in_(contact_ids),
            Message.author_kind != AuthorKind.system,
            contains_folded(db, _MESSAGE_TEXT, needle),
        )
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list((await db.scalars(stmt)).all())
