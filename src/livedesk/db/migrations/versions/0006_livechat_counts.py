"""livechat_counts: each live chat's unassigned sessions, kept by triggers on sessions

Counters (``GET /api/counters``, ``counters`` events) read one row per live chat instead of
counting the queue, whose size has no bound. Triggers keep the rows in step with every
write to ``sessions`` (insert, status or live chat change, delete), whichever code makes
it. The SQL is spelled out here rather than imported, so that this revision keeps meaning
what it meant when it was written.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ADD_ONE = (
    "INSERT INTO livechat_counts (livechat_id, unassigned) {source} "
    "ON CONFLICT (livechat_id) DO UPDATE SET unassigned = livechat_counts.unassigned + 1"
)
_TAKE_ONE = "UPDATE livechat_counts SET unassigned = unassigned - 1 WHERE livechat_id = {row}"

SQLITE_TRIGGERS = [
    "CREATE TRIGGER sessions_unassigned_ai AFTER INSERT ON sessions "
    "WHEN new.status = 'unassigned' BEGIN "
    + _ADD_ONE.format(source="VALUES (new.livechat_id, 1)")
    + "; END",
    # Both steps are conditional, so that a status written again unchanged nets zero.
    "CREATE TRIGGER sessions_unassigned_au AFTER UPDATE OF status, livechat_id ON sessions "
    "BEGIN "
    + _TAKE_ONE.format(row="old.livechat_id")
    + " AND old.status = 'unassigned'; "
    # INSERT .. SELECT .. ON CONFLICT needs the SELECT's WHERE (SQLite's parsing rule).
    + _ADD_ONE.format(source="SELECT new.livechat_id, 1 WHERE new.status = 'unassigned'")
    + "; END",
    "CREATE TRIGGER sessions_unassigned_ad AFTER DELETE ON sessions "
    "WHEN old.status = 'unassigned' BEGIN " + _TAKE_ONE.format(row="old.livechat_id") + "; END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS sessions_unassigned_ad",
    "DROP TRIGGER IF EXISTS sessions_unassigned_au",
    "DROP TRIGGER IF EXISTS sessions_unassigned_ai",
]

POSTGRES_TRIGGERS = [
    "CREATE FUNCTION livechat_unassigned_count() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'unassigned' THEN "
    + _TAKE_ONE.format(row="OLD.livechat_id")
    + "; END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'unassigned' THEN "
    + _ADD_ONE.format(source="VALUES (NEW.livechat_id, 1)")
    + "; END IF; "
    "RETURN NULL; "
    "END $$",
    "CREATE TRIGGER sessions_unassigned_count "
    "AFTER INSERT OR DELETE OR UPDATE OF status, livechat_id ON sessions "
    "FOR EACH ROW EXECUTE FUNCTION livechat_unassigned_count()",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS sessions_unassigned_count ON sessions",
    "DROP FUNCTION IF EXISTS livechat_unassigned_count()",
]

# The rows as they stand (sessions written before this revision).
BACKFILL = (
    "INSERT INTO livechat_counts (livechat_id, unassigned) "
    "SELECT livechat_id, count(*) FROM sessions WHERE status = 'unassigned' GROUP BY livechat_id"
)


def upgrade() -> None:
    op.create_table(
        "livechat_counts",
        sa.Column(
            "livechat_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("unassigned", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(
            ["livechat_id"],
            ["livechats.id"],
            name=op.f("fk_livechat_counts_livechat_id_livechats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("livechat_id", name=op.f("pk_livechat_counts")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute(BACKFILL)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DROP if postgres else SQLITE_DROP:
        op.execute(statement)
    op.drop_table("livechat_counts")
