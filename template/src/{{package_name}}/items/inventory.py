"""The inventory service, an upstream of the items domain: how many of an item are in stock.

It is the example of calling another service; copy its shape for yours. The
service knows it by INVENTORY_URL; without it, there is no stock route.
The inventory answers `GET /stock/{item_id}` with `{"available": <count>}`,
or 404 for an item it has never stocked.
"""

import uuid
from http import HTTPStatus
from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel, Field, ValidationError

from ..outbound.deadline import Deadline
from ..outbound.errors import UpstreamUnavailableError
from ..outbound.upstream import Upstream

UPSTREAM = "inventory"


class Stock(BaseModel):
    """How many of an item the inventory holds."""

    item_id: uuid.UUID
    available: int = Field(ge=0, description="Units in stock now.")


class _StockAnswer(BaseModel):
    """What the inventory sends; anything else is its failure, not ours."""

    available: int = Field(ge=0)


class Inventory:
    """The calls this service makes to the inventory."""

    def __init__(self, upstream: Upstream) -> None:
        self._upstream = upstream

    async def stock(self, item_id: uuid.UUID, deadline: Deadline) -> Stock:
        """The item's stock; 0 for an item the inventory has never stocked."""
        response = await self._upstream.request(
            "GET", "/stock/{item_id}", deadline=deadline, item_id=str(item_id)
        )
        if response.status_code == HTTPStatus.NOT_FOUND:
            return Stock(item_id=item_id, available=0)
        if response.status_code != HTTPStatus.OK:
            raise UpstreamUnavailableError(UPSTREAM, f"answered {response.status_code}")
        try:
            answer = _StockAnswer.model_validate_json(response.content)
        except ValidationError:
            raise UpstreamUnavailableError(UPSTREAM, "answered something unreadable") from None
        return Stock(item_id=item_id, available=answer.available)


async def get_inventory(request: Request) -> Inventory:
    """The inventory, through the process's shared client and circuit breakers."""
    url = request.app.state.settings.inventory.url
    return Inventory(Upstream(UPSTREAM, str(url), request.app.state.outbound))


InventoryDep = Annotated[Inventory, Depends(get_inventory)]
