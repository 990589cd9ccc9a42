"""Bounded offset pagination shared by list endpoints."""

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

MAX_PAGE_SIZE = 100
# Deep offsets make the database scan and discard rows; past this, filter instead.
MAX_OFFSET = 10_000


class PageParams(BaseModel):
    """Which slice of a list the client asked for."""

    limit: int
    offset: int


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    """Read and bound `limit` and `offset` from the query string."""
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list and the total it was taken from."""

    items: list[T]
    total: int
    limit: int
    offset: int
