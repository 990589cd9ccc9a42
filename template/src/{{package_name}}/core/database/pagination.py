"""Bounded offset pagination shared by list endpoints, and the query behind it."""

from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def fetch_page(
    session: AsyncSession, query: Select[T], *, limit: int, offset: int
) -> tuple[Sequence[T], int]:
    """One page of the rows `query` selects, in its order, and how many it selects in all.

    One statement: the total rides along as an uncorrelated scalar subquery,
    which the database evaluates once. That saves a round trip (and a span) per
    list request, and unlike a separate COUNT, which under READ COMMITTED sees
    rows committed in between, the total always agrees with the page.
    `query` must order by a unique key as well, so pages never overlap or skip rows.
    """
    total = select(func.count()).select_from(query.order_by(None).subquery())
    paged = query.add_columns(total.scalar_subquery()).limit(limit).offset(offset)
    rows = (await session.execute(paged)).all()
    if rows:
        return [row[0] for row in rows], rows[0][1]
    if offset == 0:
        return [], 0
    # A page past the end has no row to carry the total: count on its own.
    return [], await session.scalar(total) or 0
