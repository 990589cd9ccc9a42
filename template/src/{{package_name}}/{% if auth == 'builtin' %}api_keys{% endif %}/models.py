"""API keys for service-to-service calls."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..core.database.models import Base, UTCDateTime, utcnow

NAME_MAX_LENGTH = 100


class ApiKey(Base):
    """A key that acts for its owner, limited to its scopes, until it expires or is revoked."""

    __tablename__ = "api_keys"
    # The list's order, for one owner and for everyone (core/database/pagination.py).
    __table_args__ = (
        Index("ix_api_keys_user_id_created_at_id", "user_id", "created_at", "id"),
        Index("ix_api_keys_created_at_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    # The first characters of the key, so owners can tell keys apart in listings.
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
