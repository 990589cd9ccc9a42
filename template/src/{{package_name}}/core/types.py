"""Constrained types for request input: accept only what both databases can store.

A value the database refuses (PostgreSQL rejects NUL in text; a timestamp that
overflows once converted to UTC) would otherwise fail deep in the driver and
answer 500. These types refuse it at the edge, so the client gets a 422 naming
the field, and they say so in the OpenAPI document, so clients and fuzzers know
the rule. Lone surrogates need nothing here: pydantic already refuses a string
that is not valid Unicode.
"""

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Strict, StringConstraints

# PostgreSQL text cannot hold U+0000 (SQLite can, but one rule for both).
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


def _json_integer(value: Any) -> Any:
    # pydantic's lax int also takes `true` and "12"; JSON Schema's integer is a
    # number with no fraction (so 12.0 too), nothing else.
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = "expected an integer"
        raise ValueError(msg)
    return value


# A JSON integer: 12 or 12.0, never `true` or "12". Put it after the bounds,
# `Annotated[int, Field(ge=0), JSON_INTEGER]`: before them it would hide them
# from the OpenAPI document.
JSON_INTEGER = BeforeValidator(_json_integer)

# A JSON boolean: never 1 or "true".
StrictBool = Annotated[bool, Strict()]

_RFC3339_START = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _rfc3339_only(value: Any) -> Any:
    # pydantic would also take a number of seconds or a bare date; the document
    # says `date-time`, so only that is accepted.
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339_START.match(value)):
        return value
    msg = "expected an RFC 3339 date-time, such as 2024-01-31T12:00:00Z"
    raise ValueError(msg)


def _to_utc(value: datetime) -> datetime:
    # 0001-01-01T00:00+01:00 is valid but has no UTC equivalent in Python's range.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        msg = "out of range once converted to UTC"
        raise ValueError(msg) from None


UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_rfc3339_only), AfterValidator(_to_utc)]
