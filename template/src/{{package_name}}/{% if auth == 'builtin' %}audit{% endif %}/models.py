"""The append-only audit log of security events."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..core.database.models import Base, UTCDateTime, utcnow


class AuditEvent(StrEnum):
    """The security events the service records."""

    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    ACCOUNT_LOCKED = "account_locked"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"  # noqa: S105 - an event name
    LOGGED_OUT = "logged_out"
    LOGGED_OUT_EVERYWHERE = "logged_out_everywhere"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
    USER_CREATED = "user_created"
    USER_UPDATED = "user_updated"
    ROLE_CHANGED = "role_changed"
    API_KEY_CREATED = "api_key_created"
    API_KEY_REVOKED = "api_key_revoked"


class AuditEntry(Base):
    """One security event. Rows are only ever inserted: no update or delete path exists.

    Actor and target are plain ids, not foreign keys, so deleting a user never
    rewrites or removes the history of what happened to them.
    """

    __tablename__ = "audit_log"
    # The list's order, alone and after each filter (core/database/pagination.py).
    __table_args__ = (
        Index("ix_audit_log_created_at_id", "created_at", "id"),
        Index("ix_audit_log_event_created_at_id", "event", "created_at", "id"),
        Index("ix_audit_log_actor_id_created_at_id", "actor_id", "created_at", "id"),
        Index("ix_audit_log_target_id_created_at_id", "target_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    event: Mapped[AuditEvent] = mapped_column(
        Enum(
            AuditEvent, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]
        )
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    target_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
