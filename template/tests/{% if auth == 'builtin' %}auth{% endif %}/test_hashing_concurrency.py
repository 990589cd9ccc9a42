"""A burst of logins must not stall other requests: hashing runs off the event loop.

A real uvicorn process, because only a real server shows the event loop being
blocked. While logins are under way, a cheap request asks the server how many
password verifications are running at that moment (see `hashing_app.py`). If
hashing held the event loop, no request could be answered during a
verification and every answer would say 0; off the loop, some answer says at
least 1. That is an ordering, not a timing: it holds however busy the machine is.
"""

import asyncio
from pathlib import Path

import httpx

from tests.live_server import LiveServer
from tests.principals import PASSWORD, TEST_JWT_SECRET

CONCURRENT_LOGINS = 4
EMAIL = "user@example.com"


async def _burst(base: str) -> tuple[list[int], int]:
    """Statuses of the logins, and the most verifications a probe saw running."""
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        form = {"username": EMAIL, "password": PASSWORD}
        logins = [
            asyncio.create_task(client.post("/auth/token", data=form))
            for _ in range(CONCURRENT_LOGINS)
        ]
        most_seen = 0
        while not all(task.done() for task in logins):
            probe = await client.get("/test/hashing")
            assert probe.status_code == 200
            most_seen = max(most_seen, probe.json()["running"])
        return [task.result().status_code for task in logins], most_seen


def test_logins_do_not_block_other_requests(own_database_url: str, project_root: Path) -> None:
    env = {
        "DATABASE_URL": own_database_url,
        "JWT_SECRET_KEY": TEST_JWT_SECRET,
        "ENVIRONMENT": "test",
        # Costlier hashes widen the window in which a probe can meet one.
        "AUTH_HASH_TIME_COST": "8",
        "AUTH_HASH_MEMORY_KIB": "65536",
        # On SQLite logins take turns for the write lock, each for a whole
        # verification; on a busy machine four of them outlast the default wait.
        "DATABASE_CONNECT_TIMEOUT": "60",
        # The probes come as fast as they are answered: no per-minute limit.
        "RATE_LIMIT_PER_MINUTE": "0",
    }
    with LiveServer("tests.auth.hashing_app:create_hashing_app", env, cwd=project_root) as live:
        registered = httpx.post(
            f"{live.url}/auth/register", json={"email": EMAIL, "password": PASSWORD}, timeout=60
        )
        assert registered.status_code == 201, registered.text
        statuses, most_seen = asyncio.run(_burst(live.url))
    assert statuses == [200] * CONCURRENT_LOGINS
    assert most_seen >= 1, "no request was answered while a password was being verified"
