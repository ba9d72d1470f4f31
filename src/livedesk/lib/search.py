"""Search: chat names and message history, case-insensitive and Unicode-aware.

Matching is substring on text folded in Python (``textsearch.fold``), so that Cyrillic
folds exactly like Latin on both engines; ``db.dialect`` picks the index that serves it.
Callers pass the visibility rule; nothing here decides who may see what.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from livedesk.db.dialect import SQLITE, FoldedColumn, contains_folded, dialect_name
from livedesk.lib.textsearch import fold
from livedesk.models import AuthorKind, ChatSession, Message

DEFAULT_LIMIT = 50
# SQLite: a history of at most this many messages is searched by reading it (through the
# contact index) instead of through the trigram index. The trigram index costs in
# proportion to how often the needle's trigrams occur in the whole database, which for a
# common word is most of it; one customer's history is small.
SCAN_AT_MOST = 20_000

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
    scope = (
        Message.livechat_id == livechat_id,
        Message.contact_id.in_(contact_ids),
        Message.author_kind != AuthorKind.system,
    )
    stmt = select(Message.id).where(*scope)
    if dialect_name(db) == SQLITE and await _history_at_most(db, contact_ids, SCAN_AT_MOST):
        # SQLite reads it through ix_messages_contact_id (contact_id, id), newest first.
        stmt = stmt.where(Message.search_text.contains(needle, autoescape=True))
    else:
        stmt = stmt.where(contains_folded(db, _MESSAGE_TEXT, needle))
    stmt = stmt.order_by(Message.id.desc()).limit(limit)
    return list((await db.scalars(stmt)).all())


async def _history_at_most(db: AsyncSession, contact_ids: Sequence[int], n: int) -> bool:
    """Whether the contacts have at most ``n`` messages (reads at most n + 1 index entries)."""
    first = select(Message.id).where(Message.contact_id.in_(contact_ids)).limit(n + 1).subquery()
    count = (await db.execute(select(func.count()).select_from(first))).scalar_one()
    return int(count) <= n
