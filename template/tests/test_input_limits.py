"""Input the databases cannot store is a 422 naming the field, and nothing is written.

PostgreSQL refuses NUL in text and pydantic's lax mode takes `true` for 1: each
once reached the database (a 500) or was accepted against the OpenAPI document.
Run on both databases.
"""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.support import NUL, SURROGATE, assert_422_at, send_json

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": NUL}, "name"),
        ({"name": SURROGATE}, "name"),
        ({"name": "n", "description": NUL}, "description"),
        ({"name": "n", "description": SURROGATE}, "description"),
        ({"name": "n" * 101}, "name"),
        ({"name": "n", "quantity": False}, "quantity"),
        ({"name": "n", "quantity": "3"}, "quantity"),
        ({"name": "n", "quantity": 2**63}, "quantity"),
        ({"name": "n", "quantity": 2.5}, "quantity"),
    ],
)
async def test_item_create_refuses_unstorable_values(
    client_seeing_500s: AsyncClient, user_headers: dict[str, str], body: Any, field: str
) -> None:
    client_seeing_500s.headers.update(user_headers)
    response = await send_json(client_seeing_500s, "POST", "/items", body)
    assert_422_at(response, "body", field)
    assert (await client_seeing_500s.get("/items")).json()["items"] == []


async def test_item_quantity_takes_a_json_integer_written_with_a_fraction(
    user_client: AsyncClient,
) -> None:
    # JSON Schema's integer includes 3.0; the document says integer, so it is one.
    response = await user_client.post("/items", json={"name": "n", "quantity": 3.0})
    assert response.status_code == 201, response.text
    assert response.json()["quantity"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"quantity": None}, "quantity"),
        ({"description": NUL}, "description"),
    ],
)
async def test_item_update_refuses_what_its_schema_does_not_allow(
    user_client: AsyncClient, body: Any, field: str
) -> None:
    created = (await user_client.post("/items", json={"name": "n", "description": "d"})).json()
    response = await send_json(user_client, "PATCH", f"/items/{created['id']}", body)
    assert_422_at(response, "body", field)
    assert (await user_client.get(f"/items/{created['id']}")).json() == created


async def test_item_update_schema_declares_null_only_where_it_is_accepted(
    client: AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]["ItemUpdate"]
    nullable = {
        name
        for name, field in schema["properties"].items()
        if {"type": "null"} in field.get("anyOf", [])
    }
    assert nullable == {"description"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": str(2**63)}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "true"}, "limit"),
        ({"cursor": "\x00"}, "cursor"),
    ],
)
async def test_pagination_refuses_out_of_range_values(
    client_seeing_500s: AsyncClient, admin_headers: dict[str, str], params: Any, field: str
) -> None:
    client_seeing_500s.headers.update(admin_headers)
    spec = (await client_seeing_500s.get("/openapi.json")).json()
    # Every list: the GET operations that page (they take `limit`).
    lists = [
        path
        for path, operations in spec["paths"].items()
        if any(p["name"] == "limit" for p in operations.get("get", {}).get("parameters", []))
    ]
    assert "/items" in lists
    for path in lists:
        response = await client_seeing_500s.get(path, params=params)
        assert_422_at(response, "query", field)
