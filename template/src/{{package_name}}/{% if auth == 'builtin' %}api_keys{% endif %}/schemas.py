"""Request and response bodies of the API keys domain."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..access.scopes import Scope
from ..core.types import JSON_INTEGER, Text
from .models import NAME_MAX_LENGTH


class ApiKeyCreate(BaseModel):
    """A new key: what it is for, what it may do, and until when."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=NAME_MAX_LENGTH)
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))
    expires_in_days: Annotated[int, Field(ge=1, le=365), JSON_INTEGER] | None = Field(
        default=90, description="Null: never."
    )
    user_id: uuid.UUID | None = Field(
        default=None, description="Admins only: create the key for this user."
    )


class ApiKeyRead(BaseModel):
    """A key as listed: never the key itself."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    """The response to creation, the only time the key is shown."""

    key: str = Field(description="Send as the X-API-Key header. Shown once; store it now.")
