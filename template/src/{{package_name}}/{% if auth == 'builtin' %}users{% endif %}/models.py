"""Database model of the users domain."""

import uuid
from datetime import datetime

from sqlalchemy import Enum, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..access.principal import Role
from ..core.database.models import Base, TimestampMixin, UTCDateTime
from .emails import EMAIL_MAX_LENGTH


class User(TimestampMixin, Base):
    """Someone who can log in."""

    __tablename__ = "users"
    # The list's order (core/database/pagination.py).
    __table_args__ = (Index("ix_users_created_at_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Stored normalised (users/emails.py), so the unique constraint means one
    # account per address however the client spells it.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        # A string column, not a native enum type: adding a role needs no ALTER TYPE.
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
