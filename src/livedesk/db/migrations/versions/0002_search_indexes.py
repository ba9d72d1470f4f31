"""search indexes: FTS5 trigram tables (SQLite), pg_trgm GIN indexes (PostgreSQL)

Both index the Python-folded columns ``messages.search_text`` and
``sessions.search_name``; ``livedesk.db.dialect`` writes the queries they serve.

The SQL is spelled out here rather than imported, so that this revision keeps meaning
what it meant when it was written.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, folded column, FTS5 table) on SQLite; (table, column, GIN index) on PostgreSQL.
SQLITE_FTS = [
    ("messages", "search_text", "messages_fts"),
    ("sessions", "search_name", "sessions_fts"),
]
POSTGRES_TRGM = [
    ("messages", "search_text", "ix_messages_search_text_trgm"),
    ("sessions", "search_name", "ix_sessions_search_name_trgm"),
]


def _sqlite_fts_up(table: str, col: str, fts: str) -> list[str]:
    # External content: the FTS table stores only the index and reads text from ``table``.
    # case_sensitive 1: the column is already folded in Python (Unicode-aware), so the
    # tokenizer must not fold again. The update trigger fires only when the folded text
    # changes, not on every status or activity update of a session.
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {col}) VALUES ('delete', old.id, old.{col});"
    insert_new = f"INSERT INTO {fts}(rowid, {col}) VALUES (new.id, new.{col});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({col}, content='{table}', content_rowid='id', "
        "tokenize='trigram case_sensitive 1')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF id, {col} ON {table} "
        f"BEGIN {delete_old} {insert_new} END",
        # Index the rows that exist already.
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _sqlite_fts_down(fts: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {fts}_au",
        f"DROP TRIGGER IF EXISTS {fts}_ad",
        f"DROP TRIGGER IF EXISTS {fts}_ai",
        f"DROP TABLE IF EXISTS {fts}",
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table, col, fts in SQLITE_FTS:
            for sql in _sqlite_fts_up(table, col, fts):
                op.execute(sql)
    elif dialect == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, col, index in POSTGRES_TRGM:
            op.create_index(
                index,
                table,
                [col],
                postgresql_using="gin",
                postgresql_ops={col: "gin_trgm_ops"},
            )
    else:
        raise NotImplementedError(f"no search indexes for {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for _table, _col, fts in SQLITE_FTS:
            for sql in _sqlite_fts_down(fts):
                op.execute(sql)
    elif dialect == "postgresql":
        for table, _col, index in POSTGRES_TRGM:
            op.drop_index(index, table_name=table)
        # The pg_trgm extension stays: other objects in the database may use it, and
        # upgrade() creates it only if it is missing.
    else:
        raise NotImplementedError(f"no search indexes for {dialect}")
