"""Engine-specific SQL, kept in one place (SQLite vs PostgreSQL).

Substring search over case-folded text columns (filled with ``lib.textsearch.fold()``):

- SQLite: an FTS5 table with the trigram tokenizer over the column (external content,
  rowid = the row's id, kept in sync by triggers; migration 0002). A trigram index can
  only answer needles of at least three characters; shorter ones fall back to ``LIKE``.
- PostgreSQL: ``LIKE`` on the column, served by a ``gin_trgm_ops`` index (migration 0002).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, column, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

# FTS5's trigram tokenizer indexes runs of three characters, so a shorter needle has no
# token to look up (FTS5 would match nothing).
TRIGRAM_CHARS = 3


@dataclass(frozen=True)
class FoldedColumn:
    """A case-folded text column and, on SQLite, the FTS5 table that indexes it.

    The FTS5 column has the same name as ``column`` (external-content tables require it).
    """

    column: InstrumentedAttribute[str]
    row_id: InstrumentedAttribute[int]
    fts_table: str


def dialect_name(db: AsyncSession) -> str:
    return db.get_bind().dialect.name


def fts5_string(text: str) -> str:
    """Quote ``text`` as one FTS5 string literal, so user input is never FTS5 syntax.

    Inside double quotes, operators (AND, OR, NEAR, ``*``, ``^``, ``:``) are plain text,
    and a double quote is written twice.
    """
    return '"' + text.replace('"', '""') + '"'


def contains_folded(db: AsyncSession, target: FoldedColumn, needle: str) -> ColumnElement[bool]:
    """A filter for rows whose folded column contains ``needle`` (already folded), literally.

    ``%``, ``_`` and quotes in ``needle`` match themselves on both engines.
    """
    if dialect_name(db) == SQLITE and len(needle) >= TRIGRAM_CHARS:
        fts = table(target.fts_table, column("rowid"), column(target.column.key))
        matching = select(fts.c.rowid).where(fts.c[target.column.key].match(fts5_string(needle)))
        return target.row_id.in_(matching)
    # autoescape: ``%``, ``_`` and the escape character are escaped, with an ESCAPE clause.
    return target.column.contains(needle, autoescape=True)
