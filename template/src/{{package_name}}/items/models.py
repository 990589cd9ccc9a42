"""Database model of the items domain."""

import uuid

from sqlalchemy import Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..core.database.models import Base, TimestampMixin
from .owners import owner_id_column

NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 1000


class Item(TimestampMixin, Base):
    """Something the service keeps track of."""

    __tablename__ = "items"
    # Names are unique per owner: a global constraint would let a 409 reveal
    # what other users have named their items.
    __table_args__ = (
        UniqueConstraint("owner_id", "name", name="uq_items_owner_id_name"),
        # The list's order, for one owner and for everyone (core/database/pagination.py).
        Index("ix_items_owner_id_created_at_id", "owner_id", "created_at", "id"),
        Index("ix_items_created_at_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Items created before authentication existed have no owner; only admins see them.
    owner_id: Mapped[uuid.UUID | None] = owner_id_column()
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_MAX_LENGTH))
    quantity: Mapped[int] = mapped_column(default=0)
