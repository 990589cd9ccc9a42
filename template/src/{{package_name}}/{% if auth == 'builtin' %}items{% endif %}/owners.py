"""Who owns an item: an account of this service, so the database keeps them consistent."""

import uuid

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column


def owner_id_column() -> Mapped[uuid.UUID | None]:
    """`items.owner_id`: references `users`; an account's items go with it."""
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
