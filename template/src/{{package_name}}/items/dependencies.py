"""Dependency wiring of the items domain."""

from typing import Annotated

from fastapi import Depends

from ..access.flags import FlagsDep
from ..access.guards import require_scope
from ..access.principal import Principal
from ..access.scopes import Scope
from ..core.database.engine import SessionDep
from .repository import ItemRepository
from .service import ItemService, ItemWritesOffError

# The kill switch of every change to items (flags.json): off, they answer 503
# while reads go on, e.g. during a data repair or an incident.
ITEM_WRITES_FLAG = "items-writes"


def _service(principal: Principal, session: SessionDep) -> ItemService:
    return ItemService(ItemRepository(session), principal)


async def get_item_reader(
    principal: Annotated[Principal, Depends(require_scope(Scope.ITEMS_READ))], session: SessionDep
) -> ItemService:
    """An `ItemService` for a caller allowed to read items."""
    return _service(principal, session)


async def get_item_writer(
    principal: Annotated[Principal, Depends(require_scope(Scope.ITEMS_WRITE))],
    session: SessionDep,
    flags: FlagsDep,
) -> ItemService:
    """An `ItemService` for a caller allowed to change items, while changes are switched on."""
    if not flags.enabled(ITEM_WRITES_FLAG, default=True):
        raise ItemWritesOffError
    return _service(principal, session)


ItemReaderDep = Annotated[ItemService, Depends(get_item_reader)]
ItemWriterDep = Annotated[ItemService, Depends(get_item_writer)]
