"""Where cached values live: a bounded dict in the process, or Redis shared by every replica."""

from typing import Protocol

import structlog
from cachetools import TTLCache
from prometheus_client import Counter
from redis.asyncio import Redis
from structlog.typing import FilteringBoundLogger

from ..fail_open import FailOpen
from ..redis_client import REDIS_FAILURES

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)

CACHE_REDIS_FAILURES = Counter(
    "cache_redis_failures",
    "Calls to the cache's Redis that failed; the read went to the database instead.",
)


class Store(Protocol):
    """Bytes by key, each kept for the store's time to live."""

    async def get(self, key: str) -> bytes | None:
        """The value, or None if absent, expired or unreachable."""
        ...

    async def set(self, key: str, value: bytes) -> None:
        """Keep `value`; a failure to keep it is not the caller's problem."""
        ...

    async def delete(self, *keys: str) -> None:
        """Forget `keys`."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryStore:
    """A dict per process, bounded in size and age."""

    def __init__(self, *, ttl: float, max_entries: int) -> None:
        self._entries: TTLCache[str, bytes] = TTLCache(maxsize=max_entries, ttl=ttl)

    async def get(self, key: str) -> bytes | None:
        return self._entries.get(key)

    async def set(self, key: str, value: bytes) -> None:
        self._entries[key] = value

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def close(self) -> None:
        self._entries.clear()


class RedisStore:
    """Values in Redis, shared by every replica; fails open.

    While Redis is unreachable, reads miss and go to the database, and nothing
    is stored: the cache is an optimisation, never a reason for an error.
    """

    def __init__(self, redis: Redis, *, prefix: str, ttl: float, backoff: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl_ms = max(1, round(ttl * 1000))
        self._guard = FailOpen(
            "cache_redis",
            errors=REDIS_FAILURES,
            backoff=backoff,
            failures=CACHE_REDIS_FAILURES,
            logger=_logger,
        )

    async def get(self, key: str) -> bytes | None:
        value: bytes | None = None
        if self._guard.may_call():
            with self._guard.calling():
                value = await self._redis.get(self._prefix + key)
        return value

    async def set(self, key: str, value: bytes) -> None:
        if self._guard.may_call():
            with self._guard.calling():
                await self._redis.set(self._prefix + key, value, px=self._ttl_ms)

    async def delete(self, *keys: str) -> None:
        # Not skipped while backing off: a forgotten delete would serve stale
        # data for a whole time to live once Redis is back.
        with self._guard.calling():
            await self._redis.delete(*(self._prefix + key for key in keys))

    async def close(self) -> None:
        await self._redis.aclose()
