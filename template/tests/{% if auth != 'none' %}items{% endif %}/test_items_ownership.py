"""Items are owner-scoped: users see their own, admins see all, strangers get 404."""

import pytest
from httpx import AsyncClient

from tests.principals import sign_in
from tests.support import assert_problem, assert_unauthorized

pytestmark = pytest.mark.anyio


async def test_another_users_item_is_404_not_403(
    client: AsyncClient, user_headers: dict[str, str]
) -> None:
    mine = await client.post("/items", json={"name": "mine"}, headers=user_headers)
    assert mine.status_code == 201
    item_id = mine.json()["id"]
    stranger = await sign_in(client, "stranger")

    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(method, f"/items/{item_id}", json={}, headers=stranger)
        assert_problem(response, 404, f"Item {item_id} does not exist.")
    listed = (await client.get("/items", headers=stranger)).json()
    assert (listed["items"], listed["next_cursor"]) == ([], None)
    # Untouched by the stranger's attempts.
    assert (await client.get(f"/items/{item_id}", headers=user_headers)).status_code == 200


async def test_names_are_unique_per_owner_only(
    client: AsyncClient, user_headers: dict[str, str]
) -> None:
    stranger = await sign_in(client, "stranger")
    for headers in (user_headers, stranger):
        response = await client.post("/items", json={"name": "same"}, headers=headers)
        assert response.status_code == 201


async def test_admin_sees_and_changes_every_item(
    client: AsyncClient, user_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    item = (await client.post("/items", json={"name": "x"}, headers=user_headers)).json()
    listed = (await client.get("/items", headers=admin_headers)).json()
    assert [entry["id"] for entry in listed["items"]] == [item["id"]]
    patched = await client.patch(
        f"/items/{item['id']}", json={"quantity": 4}, headers=admin_headers
    )
    assert patched.status_code == 200
    assert patched.json()["owner_id"] == item["owner_id"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/items"), ("POST", "/items")])
async def test_anonymous_callers_get_401(client: AsyncClient, method: str, path: str) -> None:
    assert_unauthorized(await client.request(method, path, json={"name": "x"}))


async def test_a_cached_item_is_never_served_to_another_scope(
    client: AsyncClient, user_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    item = (await client.post("/items", json={"name": "cached"}, headers=user_headers)).json()
    path = f"/items/{item['id']}"
    # Cached for its owner, then for an admin.
    assert (await client.get(path, headers=user_headers)).status_code == 200
    assert (await client.get(path, headers=admin_headers)).status_code == 200
    stranger = await sign_in(client, "stranger")
    assert_problem(await client.get(path, headers=stranger), 404)
    # A write by the admin is seen by the owner at once, and the other way round.
    await client.patch(path, json={"quantity": 7}, headers=admin_headers)
    assert (await client.get(path, headers=user_headers)).json()["quantity"] == 7
    await client.patch(path, json={"quantity": 8}, headers=user_headers)
    assert (await client.get(path, headers=admin_headers)).json()["quantity"] == 8
