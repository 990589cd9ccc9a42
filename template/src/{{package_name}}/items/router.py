"""HTTP endpoints of the items domain."""

import uuid
from http import HTTPStatus

from fastapi import APIRouter, Request, Response

from ..core.database.engine import SessionDep
from ..core.database.pagination import Page, PageDep
from ..core.errors.problems import problem_responses
from ..outbound.deadline import DeadlineDep
from .cache import ItemCacheDep
from .dependencies import ItemReaderDep, ItemWriterDep
from .inventory import InventoryDep, Stock
from .schemas import ItemCreate, ItemRead, ItemUpdate

router = APIRouter(prefix="/items", tags=["items"])
# Routes that need the inventory service: mounted only when INVENTORY_URL names it.
inventory_router = APIRouter(prefix="/items", tags=["items"])


@router.post(
    "",
    status_code=HTTPStatus.CREATED,
    summary="Create an item",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_item(
    data: ItemCreate, service: ItemWriterDep, request: Request, response: Response
) -> ItemRead:
    """Create an item; its name must be unique."""
    item = await service.create(data)
    response.headers["Location"] = str(request.url_for("get_item", item_id=item.id))
    return ItemRead.model_validate(item)


@router.get("", summary="List items", responses=problem_responses(401, 403, 422))
async def list_items(service: ItemReaderDep, page: PageDep) -> Page[ItemRead]:
    """Items, oldest first, one bounded page at a time: follow `next_cursor`."""
    items, next_cursor = await service.list(page)
    return Page(items=[ItemRead.model_validate(item) for item in items], next_cursor=next_cursor)


@router.get(
    "/{item_id:uuid}", summary="Get an item", responses=problem_responses(401, 403, 404, 422)
)
async def get_item(item_id: uuid.UUID, service: ItemReaderDep, cache: ItemCacheDep) -> ItemRead:
    """One item by id."""
    return await cache.read(item_id, lambda: service.get(item_id))


@router.patch(
    "/{item_id:uuid}",
    summary="Update an item",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_item(
    item_id: uuid.UUID,
    data: ItemUpdate,
    service: ItemWriterDep,
    session: SessionDep,
    cache: ItemCacheDep,
) -> ItemRead:
    """Change the fields present in the body."""
    item = ItemRead.model_validate(await service.update(item_id, data))
    # Committed before the cache forgets it: a read in between would cache the
    # old item again.
    await session.commit()
    await cache.forget(item)
    return item


@router.delete(
    "/{item_id:uuid}",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Delete an item",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_item(
    item_id: uuid.UUID, service: ItemWriterDep, session: SessionDep, cache: ItemCacheDep
) -> None:
    """Delete an item for good."""
    item = ItemRead.model_validate(await service.delete(item_id))
    await session.commit()
    await cache.forget(item)


@inventory_router.get(
    "/{item_id:uuid}/stock",
    summary="Get an item's stock",
    responses=problem_responses(401, 403, 404, 422, 503),
)
async def get_stock(
    item_id: uuid.UUID,
    service: ItemReaderDep,
    session: SessionDep,
    inventory: InventoryDep,
    deadline: DeadlineDep,
) -> Stock:
    """How many of the item are in stock, from the inventory service."""
    await service.get(item_id)
    # The same session as the service's: end its read before waiting on another
    # service, so that an upstream outage cannot hold the database's connections.
    await session.commit()
    return await inventory.stock(item_id, deadline)
