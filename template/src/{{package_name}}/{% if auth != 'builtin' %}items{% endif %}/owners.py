"""Who owns an item: a principal the service does not store, so no foreign key."""

import uuid

from sqlalchemy import Uuid
from sqlalchemy.orm import Mapped, mapped_column


def owner_id_column() -> Mapped[uuid.UUID | None]:
    """`items.owner_id`: the id of the principal that created the item."""
    return mapped_column(Uuid)
