"""Owners for items: the id of the principal that created each one.

Revision ID: 1002
Revises: 0001
Create Date: 2026-12-03

The 1xxx revisions belong to services whose callers are authenticated outside
them (`auth` other than builtin): no accounts tables, and `items.owner_id` references
nothing the service stores. Item names are unique per owner.

Written to converge: it also brings a database made with the built-in accounts
(revisions 0002-0004) to this shape after `alembic stamp --purge 0001` (README,
"Switching auth"): what exists is kept, the foreign key to `users` is dropped,
and what is missing is created. The accounts tables themselves stay untouched.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The list's order, for one owner and for everyone (core/database/pagination.py).
INDEXES = {
    "ix_items_owner_id_created_at_id": ["owner_id", "created_at", "id"],
    "ix_items_created_at_id": ["created_at", "id"],
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    columns = {column["name"] for column in inspector.get_columns("items")}
    uniques = {constraint["name"] for constraint in inspector.get_unique_constraints("items")}
    indexes = {index["name"] for index in inspector.get_indexes("items")}
    # Only the built-in accounts' key: a foreign key a team added stays.
    foreign_keys = [
        fk["name"]
        for fk in inspector.get_foreign_keys("items")
        if fk["referred_table"] == "users" and fk["name"]
    ]
    with op.batch_alter_table("items") as batch_op:
        for name in foreign_keys:
            batch_op.drop_constraint(name, type_="foreignkey")
        if "owner_id" not in columns:
            batch_op.add_column(sa.Column("owner_id", sa.Uuid(), nullable=True))
        if "uq_items_name" in uniques:
            batch_op.drop_constraint("uq_items_name", type_="unique")
        if "uq_items_owner_id_name" not in uniques:
            batch_op.create_unique_constraint("uq_items_owner_id_name", ["owner_id", "name"])
        if "ix_items_owner_id" in indexes:
            batch_op.drop_index("ix_items_owner_id")
    for name, index_columns in INDEXES.items():
        op.create_index(name, "items", index_columns, if_not_exists=True)


def downgrade() -> None:
    """Back to 0001; fails if two owners have used the same item name."""
    for name in INDEXES:
        op.drop_index(name, table_name="items")
    with op.batch_alter_table("items") as batch_op:
        batch_op.drop_constraint("uq_items_owner_id_name", type_="unique")
        batch_op.create_unique_constraint(op.f("uq_items_name"), ["name"])
        batch_op.drop_column("owner_id")
