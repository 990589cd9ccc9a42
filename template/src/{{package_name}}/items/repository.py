"""Queries of the items domain; the only module that builds SQL for items."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database.pagination import PageParams, fetch_page
from .models import Item


class ItemRepository:
    """Loads and stores `Item` rows within the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, item_id: uuid.UUID, *, owner_id: uuid.UUID | None) -> Item | None:
        """The item with this id, if any (and if `owner_id` is given, only theirs)."""
        query = select(Item).where(Item.id == item_id)
        if owner_id is not None:
            query = query.where(Item.owner_id == owner_id)
        return await self._session.scalar(query)

    async def list(
        self, *, owner_id: uuid.UUID | None, page: PageParams
    ) -> tuple[Sequence[Item], str | None]:
        """One page of items (of one owner, or all), oldest first, and the next cursor.

        Served by the indexes on (owner_id, created_at, id) and (created_at, id).
        """
        query = select(Item)
        if owner_id is not None:
            query = query.where(Item.owner_id == owner_id)
        return await fetch_page(self._session, query, page, key=(Item.created_at, Item.id))

    async def add(self, item: Item) -> Item:
        """Insert `item` and flush, so constraint violations surface here."""
        self._session.add(item)
        await self._session.flush()
        return item

    async def flush(self) -> None:
        """Write pending changes, raising constraint violations now."""
        await self._session.flush()

    async def delete(self, item: Item) -> None:
        """Delete `item`."""
        await self._session.delete(item)
        await self._session.flush()
