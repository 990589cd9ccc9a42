"""A burst of logins must not stall other requests: hashing runs off the event loop.

A real uvicorn process, because only a real server shows the event loop being
blocked. The hash cost is raised so one verification takes well over 100 ms;
the bound on the liveness probe is three quarters of that. Hashing on the
event loop holds the probe for at least one whole verification and fails the
test; in worker threads the probe answers in milliseconds, far inside the
bound, which leaves room for a noisy two-core machine running four hashes.
"""

import asyncio
import time
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from tests.server import run_to_end, server_env, serving
from tests.support import PASSWORD

CONCURRENT_LOGINS = 4
TIME_COST = 8
MEMORY_KIB = 65_536


def _one_verification_seconds() -> float:
    hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=1)
    password_hash = hasher.hash(PASSWORD)
    started = time.perf_counter()
    hasher.verify(password_hash, PASSWORD)
    return time.perf_counter() - started


async def _burst(base: str) -> tuple[list[int], float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        form = {"username": "root@example.com", "password": PASSWORD}
        logins = [
            asyncio.create_task(client.post("/auth/token", data=form))
            for _ in range(CONCURRENT_LOGINS)
        ]
        slowest = 0.0
        while not all(task.done() for task in logins):
            started = time.perf_counter()
            probe = await client.get("/health/live")
            assert probe.status_code == 200
            slowest = max(slowest, time.perf_counter() - started)
            await asyncio.sleep(0.01)
        return [task.result().status_code for task in logins], slowest


def test_logins_do_not_block_other_requests(tmp_path: Path) -> None:
    verification = _one_verification_seconds()
    assert verification > 0.1, "the hash is too cheap for this test to tell anything"
    env = server_env(
        tmp_path,
        ADMIN_PASSWORD=PASSWORD,
        AUTH_HASH_MEMORY_KIB=str(MEMORY_KIB),
        AUTH_HASH_TIME_COST=str(TIME_COST),
    )
    with serving(tmp_path, env) as base:
        status, output = run_to_end(tmp_path, "create-admin", "root@example.com", env=env)
        assert status == 0, output
        statuses, slowest_probe = asyncio.run(_burst(base))
    assert statuses == [200] * CONCURRENT_LOGINS
    assert slowest_probe < verification * 0.75, (
        f"a probe waited {slowest_probe:.3f}s; one verification takes {verification:.3f}s"
    )
