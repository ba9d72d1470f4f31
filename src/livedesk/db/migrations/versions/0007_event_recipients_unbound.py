"""event_recipients without a foreign key to events

An event's recipients are written by the statement that writes the event (realtime/log.py)
and deleted with it by the retention job (``prune_before``), which deletes them first: no
other code writes either table. The foreign key's check of each recipient row (an index
lookup into events) was up to half of the event log's insert, which runs under the
deployment-wide ordering lock: on PostgreSQL, a batch of 60 messages' events (660
recipient rows) took 5.2 to 6.3 ms with it and 2.7 to 4.6 ms without (BENCHMARKS.md).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_recipients", schema=None) as batch_op:
        batch_op.drop_constraint("fk_event_recipients_event_id_events", type_="foreignkey")


def downgrade() -> None:
    # Recipients whose event is gone (none, unless written by hand) would fail the check.
    op.execute("DELETE FROM event_recipients WHERE event_id NOT IN (SELECT id FROM events)")
    with op.batch_alter_table("event_recipients", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_event_recipients_event_id_events",
            "events",
            ["event_id"],
            ["id"],
            ondelete="CASCADE",
        )
