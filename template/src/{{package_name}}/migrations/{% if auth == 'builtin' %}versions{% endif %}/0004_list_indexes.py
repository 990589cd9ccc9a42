"""Indexes in the order every list pages in, so a page costs the same at any table size.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

The lists page by (created_at, id) after an opaque cursor (keyset pagination).
Each gets an index in that order, behind the filter it offers (an item's or a
key's owner, an audit entry's event, actor or target), which replaces the
single-column index on that filter: a composite index serves equality lookups
on its first column too.

On a large PostgreSQL table, build the indexes ahead of the deploy with
`CREATE INDEX CONCURRENTLY` under the same names (the upgrade then finds them
and only drops the old ones); a plain CREATE INDEX blocks writes to the table
while it runs.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (new indexes (name, columns), the single-column indexes they replace)
INDEXES: dict[str, tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]] = {
    "items": (
        [
            ("ix_items_owner_id_created_at_id", ["owner_id", "created_at", "id"]),
            ("ix_items_created_at_id", ["created_at", "id"]),
        ],
        [("ix_items_owner_id", ["owner_id"])],
    ),
    "users": ([("ix_users_created_at_id", ["created_at", "id"])], []),
    "api_keys": (
        [
            ("ix_api_keys_user_id_created_at_id", ["user_id", "created_at", "id"]),
            ("ix_api_keys_created_at_id", ["created_at", "id"]),
        ],
        [("ix_api_keys_user_id", ["user_id"])],
    ),
    "audit_log": (
        [
            ("ix_audit_log_created_at_id", ["created_at", "id"]),
            ("ix_audit_log_event_created_at_id", ["event", "created_at", "id"]),
            ("ix_audit_log_actor_id_created_at_id", ["actor_id", "created_at", "id"]),
            ("ix_audit_log_target_id_created_at_id", ["target_id", "created_at", "id"]),
        ],
        [
            ("ix_audit_log_created_at", ["created_at"]),
            ("ix_audit_log_event", ["event"]),
            ("ix_audit_log_actor_id", ["actor_id"]),
            ("ix_audit_log_target_id", ["target_id"]),
        ],
    ),
}


def upgrade() -> None:
    for table, (new, old) in INDEXES.items():
        for name, columns in new:
            op.create_index(name, table, columns, if_not_exists=True)
        for name, _columns in old:
            op.drop_index(name, table_name=table)


def downgrade() -> None:
    for table, (new, old) in INDEXES.items():
        for name, columns in old:
            op.create_index(name, table, columns)
        for name, _columns in new:
            op.drop_index(name, table_name=table)
