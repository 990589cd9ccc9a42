"""Roles and scopes come from configurable claims and meet the guards the items domain uses."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.oidc.issuer import Issuer, Keys
from tests.oidc.support import OpenClient, bearer
from tests.support import assert_problem

pytestmark = pytest.mark.anyio


async def _create(client: AsyncClient, token: str, name: str) -> str:
    response = await client.post("/items", json={"name": name}, headers=bearer(token))
    assert response.status_code == 201, response.text
    item_id: str = response.json()["id"]
    return item_id


async def _listed(client: AsyncClient, token: str) -> set[str]:
    response = await client.get("/items", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {item["name"] for item in response.json()["items"]}


async def test_subjects_see_only_their_own_items_and_admins_see_all(
    client: AsyncClient, issuer: Issuer, keys: Keys
) -> None:
    alice, bob = issuer.token(keys.rsa, sub="alice"), issuer.token(keys.rsa, sub="bob")
    admin = issuer.token(keys.rsa, sub="carol", roles=["auditor", "admin"])
    alices = await _create(client, alice, "alice's")
    await _create(client, bob, "bob's")

    assert await _listed(client, alice) == {"alice's"}
    assert await _listed(client, bob) == {"bob's"}
    assert await _listed(client, admin) == {"alice's", "bob's"}
    # Someone else's item does not exist, as with the built-in accounts.
    response = await client.get(f"/items/{alices}", headers=bearer(bob))
    assert_problem(response, 404, f"Item {alices} does not exist.")
    assert (await client.get(f"/items/{alices}", headers=bearer(admin))).status_code == 200


async def test_the_same_subject_from_another_issuer_is_someone_else(
    open_oidc_client: OpenClient, issuer: Issuer, keys: Keys
) -> None:
    other = Issuer(keys.rsa)
    try:
        async with open_oidc_client() as first:
            await _create(first, issuer.token(keys.rsa), "from the first issuer")
        async with open_oidc_client(issuer=other.url) as second:
            assert await _listed(second, other.token(keys.rsa)) == set()
    finally:
        other.stop()


@pytest.mark.parametrize(
    ("roles_claim", "claims"),
    [
        # Keycloak puts realm roles in an object.
        ("realm_access.roles", {"realm_access": {"roles": ["admin"]}}),
        # Auth0 namespaces custom claims with URLs, dots included.
        ("https://example.org/roles", {"https://example.org/roles": ["admin"]}),
        # A single role as a string.
        ("roles", {"roles": "admin"}),
    ],
)
async def test_the_roles_claim_is_configurable(
    open_oidc_client: OpenClient,
    issuer: Issuer,
    keys: Keys,
    roles_claim: str,
    claims: dict[str, Any],
) -> None:
    async with open_oidc_client(roles_claim=roles_claim) as client:
        await _create(client, issuer.token(keys.rsa, sub="alice"), "alice's")
        admin = issuer.token(keys.rsa, sub="carol", **claims)
        assert await _listed(client, admin) == {"alice's"}


@pytest.mark.parametrize(
    "claims",
    [
        {"roles": ["user", "administrator"]},
        {"roles": {"admin": True}},
        {"roles": [["admin"]]},
        {"realm_access": "admin"},
        {},
    ],
    ids=["other roles", "an object", "a nested list", "not an object on the path", "no roles"],
)
async def test_anything_but_the_admin_role_is_a_user(
    open_oidc_client: OpenClient, issuer: Issuer, keys: Keys, claims: dict[str, Any]
) -> None:
    roles_claim = "realm_access.roles" if "realm_access" in claims else "roles"
    async with open_oidc_client(roles_claim=roles_claim) as client:
        await _create(client, issuer.token(keys.rsa, sub="alice"), "alice's")
        assert await _listed(client, issuer.token(keys.rsa, sub="carol", **claims)) == set()


async def test_the_admin_role_is_configurable(
    open_oidc_client: OpenClient, issuer: Issuer, keys: Keys
) -> None:
    async with open_oidc_client(admin_role="orders-admin") as client:
        await _create(client, issuer.token(keys.rsa, sub="alice"), "alice's")
        plain_admin = issuer.token(keys.rsa, sub="carol", roles=["admin"])
        assert await _listed(client, plain_admin) == set()
        orders_admin = issuer.token(keys.rsa, sub="carol", roles=["orders-admin"])
        assert await _listed(client, orders_admin) == {"alice's"}


async def test_a_reader_can_list_but_not_create(
    client: AsyncClient, issuer: Issuer, keys: Keys
) -> None:
    reader = bearer(issuer.token(keys.rsa, scope="openid profile items:read"))
    assert (await client.get("/items", headers=reader)).status_code == 200
    response = await client.post("/items", json={"name": "x"}, headers=reader)
    assert_problem(response, 403, "The API key lacks the items:write scope.")


@pytest.mark.parametrize("scope", [None, "", "openid items:admin"])
async def test_a_token_without_item_scopes_cannot_even_read(
    client: AsyncClient, issuer: Issuer, keys: Keys, scope: str | None
) -> None:
    # An admin too: scopes bound what the token may do, roles only widen whose items.
    token = issuer.token(keys.rsa, scope=scope, roles=["admin"])
    assert_problem(await client.get("/items", headers=bearer(token)), 403)


async def test_scopes_may_come_as_a_list_in_another_claim(
    open_oidc_client: OpenClient, issuer: Issuer, keys: Keys
) -> None:
    # Okta's `scp` is a list; Entra ID's is a space-separated string.
    async with open_oidc_client(scopes_claim="scp") as client:
        token = issuer.token(keys.rsa, scope=None, scp=["items:read", "items:write", 7])
        await _create(client, token, "listed scopes")
        spaced = issuer.token(keys.rsa, scope="items:write", scp="items:read")
        assert (await client.get("/items", headers=bearer(spaced))).status_code == 200
        response = await client.post("/items", json={"name": "y"}, headers=bearer(spaced))
        assert_problem(response, 403)
