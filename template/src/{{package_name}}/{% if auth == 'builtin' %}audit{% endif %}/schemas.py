"""Response bodies of the audit log."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from .models import AuditEvent


class AuditEntryRead(BaseModel):
    """One recorded security event."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime
    event: AuditEvent
    actor_id: uuid.UUID | None
    target_id: uuid.UUID | None
    client_address: str | None
    user_agent: str | None
    request_id: str | None
    details: dict[str, Any]
