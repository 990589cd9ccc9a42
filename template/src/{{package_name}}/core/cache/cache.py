"""Cache-aside for reads, with one load per key at a time in each process.

`read` serves the stored copy of a value or loads it, stores it for
CACHE_TTL_SECONDS and serves it. When many requests miss the same key at once
(a hot key that just expired), one loads and the others wait for its result,
so a stampede costs one query per process, not one per request. Writers call
`forget` once their change is committed. Keys are the caller's business: a
key must carry everything that decides what the value is, the caller's scope
included, or one caller is served what another may see.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from prometheus_client import Counter
from pydantic import BaseModel

from ..redis_client import connect_redis
from ..settings.cache import CacheSettings
from ..settings.security import HttpSecuritySettings
from .stores import MemoryStore, RedisStore, Store

M = TypeVar("M", bound=BaseModel)

CACHE_LOOKUPS = Counter(
    "cache_lookups",
    "Reads through the cache, by cache and result (hit or miss).",
    ["cache", "result"],
)


class _LoadAbandonedError(Exception):
    """The request that was loading a key went away; a waiting one loads it itself."""


class Cache:
    """Values of pydantic models by name (for metrics) and key; `store=None` turns it off."""

    def __init__(self, store: Store | None) -> None:
        self._store = store
        self._loading: dict[str, asyncio.Future[bytes]] = {}

    async def read(
        self, name: str, key: str, model: type[M], load: Callable[[], Awaitable[M]]
    ) -> M:
        """The cached value of `key`, or `load()`'s, then cached; `load`'s errors pass through."""
        if self._store is None:
            return await load()
        full_key = f"{name}:{key}"
        cached = await self._store.get(full_key)
        if cached is not None:
            CACHE_LOOKUPS.labels(cache=name, result="hit").inc()
            return model.model_validate_json(cached)
        CACHE_LOOKUPS.labels(cache=name, result="miss").inc()
        loading = self._loading.get(full_key)
        if loading is not None:
            try:
                # Shielded: a waiting request that goes away must not cancel the load.
                return model.model_validate_json(await asyncio.shield(loading))
            except _LoadAbandonedError:
                pass
        return await self._load(self._store, full_key, load)

    async def _load(self, store: Store, full_key: str, load: Callable[[], Awaitable[M]]) -> M:
        loading: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        # Retrieved here, so that an error nobody waited for is not reported as lost.
        loading.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._loading[full_key] = loading
        try:
            value = await load()
        except asyncio.CancelledError:
            loading.set_exception(_LoadAbandonedError())
            raise
        except Exception as error:
            loading.set_exception(error)
            raise
        finally:
            forgotten = self._loading.get(full_key) is not loading
            if not forgotten:
                del self._loading[full_key]
        encoded = value.model_dump_json().encode()
        loading.set_result(encoded)
        # A write committed while this was loading may have made it stale.
        if not forgotten:
            await store.set(full_key, encoded)
        return value

    async def forget(self, name: str, *keys: str) -> None:
        """Drop `keys`, and keep loads already under way from storing what they read."""
        if self._store is None:
            return
        full_keys = [f"{name}:{key}" for key in keys]
        for full_key in full_keys:
            self._loading.pop(full_key, None)
        await self._store.delete(*full_keys)

    async def close(self) -> None:
        """Release the store's connections."""
        if self._store is not None:
            await self._store.close()


def create_cache(settings: CacheSettings, http: HttpSecuritySettings) -> Cache:
    """Off with a time to live of 0; in Redis when `REDIS_URL` is set; otherwise in the process."""
    if settings.ttl_seconds == 0:
        return Cache(None)
    if http.redis_url is None:
        return Cache(MemoryStore(ttl=settings.ttl_seconds, max_entries=settings.max_entries))
    redis = connect_redis(http.redis_url, timeout=http.redis_timeout_seconds)
    return Cache(
        RedisStore(
            redis,
            prefix=settings.key_prefix,
            ttl=settings.ttl_seconds,
            backoff=http.redis_backoff_seconds,
        )
    )


async def get_cache(request: Request) -> Cache:
    """The application's cache."""
    cache: Cache = request.app.state.cache
    return cache


CacheDep = Annotated[Cache, Depends(get_cache)]
