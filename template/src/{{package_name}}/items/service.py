"""Business rules of the items domain."""

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from ..access.principal import Principal
from ..core.database.pagination import PageParams
from ..core.errors.problems import ConflictError, NotFoundError, ServiceUnavailableError
from .models import Item
from .repository import ItemRepository
from .schemas import ItemCreate, ItemUpdate


class ItemNotFoundError(NotFoundError):
    """No item has the requested id."""

    def __init__(self, item_id: uuid.UUID) -> None:
        super().__init__(f"Item {item_id} does not exist.")


class ItemNameTakenError(ConflictError):
    """Another item already has this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"An item named {name!r} already exists.")


class ItemWritesOffError(ServiceUnavailableError):
    """Changes to items are switched off for now (the `items-writes` flag)."""

    headers = {"Retry-After": "60"}  # noqa: RUF012 - read only, like the class's status

    def __init__(self) -> None:
        super().__init__("Changing items is switched off for now; reading them still works.")


class ItemService:
    """Creates, reads, changes and deletes the items of one caller.

    A user sees only their own items; an admin sees all. Someone else's item is
    reported as missing (404), not forbidden (403), so ids cannot be probed.
    """

    def __init__(self, repository: ItemRepository, caller: Principal) -> None:
        self._repository = repository
        self._caller = caller
        self._scope = None if caller.is_admin else caller.id

    async def create(self, data: ItemCreate) -> Item:
        """Create an item owned by the caller; its name must be unique for them."""
        item = Item(**data.model_dump(), owner_id=self._caller.id)
        try:
            return await self._repository.add(item)
        except IntegrityError as exc:
            # The unique constraint decides, not a prior SELECT: a check-then-insert
            # would race with a concurrent request for the same name.
            raise ItemNameTakenError(data.name) from exc

    async def get(self, item_id: uuid.UUID) -> Item:
        """The item with this id, or `ItemNotFoundError`."""
        item = await self._repository.get(item_id, owner_id=self._scope)
        if item is None:
            raise ItemNotFoundError(item_id)
        return item

    async def list(self, page: PageParams) -> tuple[Sequence[Item], str | None]:
        """One page of the caller's items (an admin's: everyone's) and the next cursor."""
        return await self._repository.list(owner_id=self._scope, page=page)

    async def update(self, item_id: uuid.UUID, data: ItemUpdate) -> Item:
        """Apply the fields present in `data`."""
        item = await self.get(item_id)
        for field, value in data.model_dump(exclude_unset=True).items():
            setattr(item, field, value)
        try:
            await self._repository.flush()
        except IntegrityError as exc:
            # Only the name is unique; the failed flush has expired `item`, so the
            # message uses the requested value.
            raise ItemNameTakenError(str(data.name)) from exc
        return item

    async def delete(self, item_id: uuid.UUID) -> Item:
        """Delete the item, or raise `ItemNotFoundError`; the item as it was."""
        item = await self.get(item_id)
        await self._repository.delete(item)
        return item
