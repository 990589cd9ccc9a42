"""A burst of reads with fresh API keys, on a real server and SQLite file: all succeed.

Each key's first use records `last_used_at`, a row write. Made inside a reading
request's transaction, that write upgrades SQLite's deferred transaction to a
writing one, and of several upgrades at once all but the first fail ("database
is locked"): such a burst was answered with 503s. A real uvicorn process,
because only real concurrency on a real database file shows it.
"""

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from tests.principals import register_and_login
from tests.server import server_env, serving

KEYS = 20


async def _create_keys(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    keys = []
    for number in range(KEYS):
        response = await client.post(
            "/api-keys", json={"name": f"key {number}", "scopes": ["items:read"]}, headers=headers
        )
        assert response.status_code == 201, response.text
        keys.append(response.json()["key"])
    return keys


async def _recorded_keys(client: httpx.AsyncClient, headers: dict[str, str]) -> list[Any]:
    """The keys' listing once every use is recorded (recording follows the response)."""
    deadline = time.monotonic() + 10
    while True:
        # All of them on one page (KEYS is within the page size).
        params = {"limit": KEYS}
        listed = (await client.get("/api-keys", params=params, headers=headers)).json()["items"]
        if all(key["last_used_at"] for key in listed) or time.monotonic() > deadline:
            return list(listed)
        await asyncio.sleep(0.05)


async def _burst(base: str) -> tuple[list[httpx.Response], list[Any]]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        headers = await register_and_login(client, "burst@example.com")
        keys = await _create_keys(client, headers)
        reads = await asyncio.gather(
            *(client.get("/items", headers={"X-API-Key": key}) for key in keys)
        )
        return reads, await _recorded_keys(client, headers)


def test_first_uses_of_many_keys_at_once_all_succeed_and_are_recorded(tmp_path: Path) -> None:
    with serving(tmp_path, server_env(tmp_path)) as base:
        reads, listed = asyncio.run(_burst(base))
    assert [read.status_code for read in reads] == [200] * KEYS, [read.text for read in reads]
    assert len(listed) == KEYS
    assert all(key["last_used_at"] for key in listed), listed
