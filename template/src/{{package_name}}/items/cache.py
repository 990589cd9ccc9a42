"""Single items through the read cache, keyed by what the caller may see.

A user sees only their own items and an admin sees all, so an entry's key
carries the caller's scope (`<owner id>:<item id>` or `all:<item id>`): no
caller is ever served an entry another scope stored. A write forgets the
item under both scopes that can see it, once the write is committed.
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from ..access.guards import PrincipalDep
from ..access.principal import Principal
from ..core.cache.cache import Cache, CacheDep
from .models import Item
from .schemas import ItemRead

CACHE_NAME = "items"
_EVERYONE = "all"


class ItemCache:
    """The cache as the items domain uses it, for one caller."""

    def __init__(self, cache: Cache, caller: Principal) -> None:
        self._cache = cache
        self._scope = _EVERYONE if caller.is_admin else str(caller.id)

    async def read(self, item_id: uuid.UUID, load: Callable[[], Awaitable[Item]]) -> ItemRead:
        """The item as the caller may see it: cached, or `load()`ed and cached."""

        async def load_read() -> ItemRead:
            return ItemRead.model_validate(await load())

        return await self._cache.read(CACHE_NAME, f"{self._scope}:{item_id}", ItemRead, load_read)

    async def forget(self, item: ItemRead) -> None:
        """Drop every cached copy of `item`; call it after the change is committed."""
        scopes = {_EVERYONE} | ({str(item.owner_id)} if item.owner_id is not None else set())
        await self._cache.forget(CACHE_NAME, *(f"{scope}:{item.id}" for scope in sorted(scopes)))


async def get_item_cache(cache: CacheDep, principal: PrincipalDep) -> ItemCache:
    """The items' cache for the caller."""
    return ItemCache(cache, principal)


ItemCacheDep = Annotated[ItemCache, Depends(get_item_cache)]
