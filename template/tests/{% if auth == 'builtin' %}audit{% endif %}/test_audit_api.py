"""The audit log: written by security events, listed and filtered by admins."""

from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient

from tests.principals import login
from tests.support import assert_problem

pytestmark = pytest.mark.anyio


async def test_entries_carry_actor_client_and_user_agent(
    client: AsyncClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    await login(client, "user@example.com", "wrong password!!")
    response = await client.get("/audit", params={"event": "login_failed"}, headers=admin_headers)
    assert response.status_code == 200
    page = response.json()
    [entry] = page["items"]
    user_id = (await client.get("/users/me", headers=user_headers)).json()["id"]
    assert entry["target_id"] == user_id
    assert entry["details"] == {"reason": "wrong_password"}
    assert entry["client_address"] == "127.0.0.1"
    assert entry["user_agent"].startswith("python-httpx/")


async def test_filters_by_actor_and_time(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    admin_id = (await client.get("/users/me", headers=admin_headers)).json()["id"]
    mine = (await client.get("/audit", params={"actor_id": admin_id}, headers=admin_headers)).json()
    assert {entry["event"] for entry in mine["items"]} == {"user_created", "login_succeeded"}
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    future = await client.get("/audit", params={"since": later}, headers=admin_headers)
    assert future.json()["items"] == []
    # A timestamp without a zone is ambiguous: refused, not guessed.
    naive = await client.get(
        "/audit", params={"since": "2026-01-01T00:00:00"}, headers=admin_headers
    )
    assert_problem(naive, 422)
