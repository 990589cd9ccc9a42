"""Account input the databases cannot store is a 422 naming the field, and nothing is written.

PostgreSQL refuses NUL in text, a timestamp can overflow once converted to UTC,
and pydantic's lax mode takes `true` for 1: each once reached the database (a
500) or was accepted against the OpenAPI document. Run on both databases.
"""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.principals import PASSWORD
from tests.support import NUL, SURROGATE, assert_422_at, send_json

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
@pytest.mark.parametrize("field", ["email", "password"])
async def test_register_refuses_unstorable_strings(
    client_seeing_500s: AsyncClient, field: str, bad: str
) -> None:
    body = {"email": "new@example.com", "password": PASSWORD, field: f"x{bad}@example.com"}
    response = await send_json(client_seeing_500s, "POST", "/auth/register", body)
    assert_422_at(response, "body", field)


@pytest.mark.parametrize("field", ["username", "password"])
async def test_login_refuses_nul_before_the_database(
    client_seeing_500s: AsyncClient, field: str
) -> None:
    # Unauthenticated: the email went straight into a query PostgreSQL refused.
    form = {"username": "user@example.com", "password": PASSWORD, field: NUL}
    response = await client_seeing_500s.post("/auth/token", data=form)
    assert_422_at(response, "body", field)


@pytest.mark.parametrize("path", ["/auth/refresh", "/auth/logout"])
@pytest.mark.parametrize("bad", [NUL, SURROGATE])
async def test_refresh_token_refuses_unstorable_strings(
    client_seeing_500s: AsyncClient, path: str, bad: str
) -> None:
    response = await send_json(client_seeing_500s, "POST", path, {"refresh_token": bad})
    assert_422_at(response, "body", "refresh_token")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": NUL, "scopes": ["items:read"]}, "name"),
        ({"name": SURROGATE, "scopes": ["items:read"]}, "name"),
        ({"name": "k", "scopes": ["items:read"], "expires_in_days": True}, "expires_in_days"),
        ({"name": "k", "scopes": ["items:read"], "expires_in_days": 2**31}, "expires_in_days"),
        ({"name": "k", "scopes": ["items:read"], "user_id": "not-a-uuid"}, "user_id"),
    ],
)
async def test_api_key_create_refuses_unstorable_values(
    user_client: AsyncClient, body: Any, field: str
) -> None:
    response = await send_json(user_client, "POST", "/api-keys", body)
    assert_422_at(response, "body", field)
    assert (await user_client.get("/api-keys")).json()["items"] == []


@pytest.mark.parametrize("field", ["current_password", "new_password"])
async def test_password_change_refuses_nul(user_client: AsyncClient, field: str) -> None:
    body = {"current_password": PASSWORD, "new_password": "another long password", field: NUL}
    response = await send_json(user_client, "POST", "/users/me/password", body)
    assert_422_at(response, "body", field)


@pytest.mark.parametrize("is_active", [1, "true", "yes"])
async def test_user_update_takes_only_json_booleans(
    client: AsyncClient, admin_headers: dict[str, str], is_active: Any
) -> None:
    client.headers.update(admin_headers)
    me = (await client.get("/users/me")).json()
    response = await client.patch(f"/users/{me['id']}", json={"is_active": is_active})
    assert_422_at(response, "body", "is_active")


@pytest.mark.parametrize(
    "since",
    [
        "9999-12-31T23:59:59-14:00",  # past year 9999 in UTC
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "2024-01-01T00:00:00",  # naive: which zone?
        "2024-01-01",  # a date, not a date-time
        "0.5",  # seconds since the epoch, which pydantic would take
        "10000-01-01T00:00:00Z",
    ],
)
async def test_audit_since_refuses_unrepresentable_datetimes(
    client_seeing_500s: AsyncClient, admin_headers: dict[str, str], since: str
) -> None:
    client_seeing_500s.headers.update(admin_headers)
    response = await client_seeing_500s.get("/audit", params={"since": since})
    assert_422_at(response, "query", "since")


async def test_audit_since_converts_other_offsets_to_utc(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    client.headers.update(admin_headers)
    response = await client.get("/audit", params={"since": "2000-01-01T05:00:00+05:00"})
    assert response.status_code == 200, response.text
    assert response.json()["items"]
