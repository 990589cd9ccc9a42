"""Keyset pagination shared by list endpoints: an opaque cursor instead of an offset.

A page is "the next `limit` rows after this one" in a fixed order over
(`created_at`, `id`), served by an index in that order. Its cost does not grow
with the table, nor with how far the client has paged, unlike OFFSET (which
reads and discards every row before the page) and a total (which counts every
matching row on every page).
"""

import base64
import binascii
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Generic, NamedTuple, Protocol, TypeVar

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

MAX_PAGE_SIZE = 100
# A cursor this service issues is about 70 characters; anything far longer is not one.
CURSOR_MAX_LENGTH = 128
NOT_A_CURSOR = "not a cursor this API issued; use the next_cursor of the previous page"


class Position(NamedTuple):
    """Where a page ended: the sort key of its last row."""

    created_at: datetime
    id: uuid.UUID


class PageParams(BaseModel):
    """Which page of a list the client asked for."""

    limit: int
    after: Position | None


def encode_cursor(position: Position) -> str:
    """The opaque token a client sends back for the next page."""
    raw = f"{position.created_at.isoformat()}|{position.id.hex}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; `ValueError` for anything this service did not issue."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_text, _, hex_id = raw.partition("|")
        created_at = datetime.fromisoformat(created_text)
        if created_at.tzinfo is None:
            raise ValueError(NOT_A_CURSOR)
        # In UTC, as stored; a forged offset on 0001-01-01 falls off the calendar here.
        return Position(created_at.astimezone(UTC), uuid.UUID(hex=hex_id))
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as exc:
        raise ValueError(NOT_A_CURSOR) from exc


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")] = 20,
    cursor: Annotated[
        str | None,
        Query(
            max_length=CURSOR_MAX_LENGTH,
            description="`next_cursor` of the previous page; omit for the first page.",
        ),
    ] = None,
) -> PageParams:
    """Read and bound `limit` and `cursor` from the query string."""
    if cursor is None:
        return PageParams(limit=limit, after=None)
    try:
        return PageParams(limit=limit, after=decode_cursor(cursor))
    except ValueError:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "cursor"),
                    "msg": f"Value error, {NOT_A_CURSOR}",
                    "type": "value_error",
                }
            ]
        ) from None


PageDep = Annotated[PageParams, Depends(page_params)]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, and how to ask for the next one."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; `null` on the last page."
    )


class Keyed(Protocol):
    """A row a list can page through: its sort key."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> uuid.UUID: ...


K = TypeVar("K", bound=Keyed)
SortKey = tuple[InstrumentedAttribute[datetime], InstrumentedAttribute[uuid.UUID]]


def page_query(
    query: Select[K], page: PageParams, *, key: SortKey, newest_first: bool = False
) -> Select[K]:
    """`query` narrowed to the rows after the cursor, in the order of `key`, one row too many.

    `key` is (`created_at`, `id`): the id breaks ties, so pages never overlap or
    skip rows. The extra row tells whether another page follows, instead of a
    count. Filters in `query` should be the leading columns of an index that
    ends in `key`, so the database reads the page straight from the index
    instead of sorting the matching rows.
    """
    created_at, id_ = key
    columns = tuple_(created_at, id_)
    if page.after is not None:
        # Row-value comparison, bound with the columns' types; PostgreSQL and
        # SQLite both seek the index to it.
        query = query.where(columns < page.after if newest_first else columns > page.after)
    if newest_first:
        query = query.order_by(created_at.desc(), id_.desc())
    else:
        query = query.order_by(created_at, id_)
    return query.limit(page.limit + 1)


async def fetch_page(
    session: AsyncSession,
    query: Select[K],
    page: PageParams,
    *,
    key: SortKey,
    newest_first: bool = False,
) -> tuple[Sequence[K], str | None]:
    """One page of the rows `query` selects (see `page_query`), and the next page's cursor."""
    paged = page_query(query, page, key=key, newest_first=newest_first)
    rows = (await session.scalars(paged)).all()
    if len(rows) <= page.limit:
        return rows, None
    last = rows[page.limit - 1]
    return rows[: page.limit], encode_cursor(Position(last.created_at, last.id))
