"""Request and response bodies of the items domain."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from ..core.types import JSON_INTEGER, Text
from .models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH

ItemName = Annotated[
    Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX_LENGTH)
]
ItemDescription = Annotated[Text, StringConstraints(max_length=DESCRIPTION_MAX_LENGTH)]
Quantity = Annotated[int, Field(ge=0, le=1_000_000), JSON_INTEGER]


class ItemCreate(BaseModel):
    """What a client sends to create an item; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    name: ItemName
    description: ItemDescription | None = None
    quantity: Quantity = 0


class ItemUpdate(BaseModel):
    """A partial update: only the fields present change."""

    model_config = ConfigDict(extra="forbid")

    # `null` clears the description; name and quantity cannot be cleared, so
    # their schema leaves `null` out (SkipJsonSchema) and the validator refuses it.
    name: ItemName | SkipJsonSchema[None] = None
    description: ItemDescription | None = None
    quantity: Quantity | SkipJsonSchema[None] = None

    @field_validator("name", "quantity", mode="before")
    @classmethod
    def _present_means_not_null(cls, value: Any) -> Any:
        # Omitting a field leaves it unchanged; `null` would erase a required value.
        if value is None:
            msg = "may be omitted but not null"
            raise ValueError(msg)
        return value


class ItemRead(BaseModel):
    """An item as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    owner_id: uuid.UUID | None
    name: str
    description: str | None
    quantity: int
    created_at: datetime
    updated_at: datetime
