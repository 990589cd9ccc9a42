"""Fixed-window counters: in this process, or in Redis so limits hold across replicas."""

import math
import time
from typing import Annotated, Protocol

import structlog
from fastapi import Depends, Request
from prometheus_client import Counter
from redis.asyncio import Redis
from structlog.typing import FilteringBoundLogger

from ..fail_open import FailOpen
from ..redis_client import REDIS_FAILURES, connect_redis
from ..settings.security import HttpSecuritySettings

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)

# Bounds the memory of the in-process limiter under a flood of distinct clients.
MAX_TRACKED_KEYS = 100_000

REDIS_FAILURES_TOTAL = Counter(
    "rate_limiter_redis_failures",
    "Calls to Redis that failed; the request was allowed without counting it.",
)


class RateLimiter(Protocol):
    """Counts hits per key and window."""

    async def hit(self, key: str, limit: int, window: int) -> float | None:
        """Count one hit; `None` if within `limit` per `window` seconds, else seconds to wait."""
        ...

    async def reset(self, key: str, window: int) -> None:
        """Forget the hits of `key` in the current window, e.g. after a successful login."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryRateLimiter:
    """Counters in a dict. Correct for one process; each replica counts on its own."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._windows: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int, window: int) -> float | None:
        now = time.time()
        current = int(now // window)
        stored_window, count = self._windows.get(self._prefix + key, (current, 0))
        count = count + 1 if stored_window == current else 1
        if len(self._windows) >= MAX_TRACKED_KEYS:
            self._evict(current)
        self._windows[self._prefix + key] = (current, count)
        return None if count <= limit else (current + 1) * window - now

    def _evict(self, current: int) -> None:
        # Expired windows first; under a flood of distinct clients, also the
        # oldest half. Memory stays bounded at the price of forgetting some counts.
        live = {k: v for k, v in self._windows.items() if v[0] == current}
        if len(live) >= MAX_TRACKED_KEYS:
            live = dict(list(live.items())[len(live) // 2 :])
        self._windows = live

    async def reset(self, key: str, window: int) -> None:  # noqa: ARG002 - one window per key
        self._windows.pop(self._prefix + key, None)

    async def close(self) -> None:
        self._windows.clear()


class RedisRateLimiter:
    """Counters in Redis: INCR and EXPIRE in one transaction, one round trip.

    Fails open: while Redis is unreachable every request is allowed, so an
    outage of the counter store cannot take the API down with it. After a
    failure Redis is left alone for `backoff` seconds, then one request probes
    it (`FailOpen`).
    """

    def __init__(self, redis: Redis, prefix: str, *, backoff: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self._guard = FailOpen(
            "rate_limiter_redis",
            errors=REDIS_FAILURES,
            backoff=backoff,
            failures=REDIS_FAILURES_TOTAL,
            logger=_logger,
        )

    async def hit(self, key: str, limit: int, window: int) -> float | None:
        now = time.time()
        current = int(now // window)
        redis_key = f"{self._prefix}{key}:{current}"
        # Failing open: while Redis cannot count, requests pass uncounted.
        count = 0
        if self._guard.may_call():
            with self._guard.calling():
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.incr(redis_key)
                    pipe.expire(redis_key, window + 1)
                    count, _ = await pipe.execute()
        return None if int(count) <= limit else max((current + 1) * window - now, 0.0)

    async def reset(self, key: str, window: int) -> None:
        current = int(time.time() // window)
        if self._guard.may_call():
            with self._guard.calling():
                await self._redis.delete(f"{self._prefix}{key}:{current}")

    async def close(self) -> None:
        await self._redis.aclose()


def create_rate_limiter(settings: HttpSecuritySettings) -> RateLimiter:
    """Redis when `REDIS_URL` is set, otherwise in-process counters."""
    if settings.redis_url is None:
        return MemoryRateLimiter(settings.rate_limit_key_prefix)
    redis = connect_redis(settings.redis_url, timeout=settings.redis_timeout_seconds)
    return RedisRateLimiter(
        redis, settings.rate_limit_key_prefix, backoff=settings.redis_backoff_seconds
    )


def retry_after(seconds: float) -> str:
    """The `Retry-After` value: whole seconds, never 0 (RFC 9110 §10.2.3)."""
    return str(max(1, math.ceil(seconds)))


async def get_rate_limiter(request: Request) -> RateLimiter:
    """The application's rate limiter."""
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]
