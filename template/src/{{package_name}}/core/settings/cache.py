"""The read cache (`CACHE_*`): in Redis when `REDIS_URL` is set, in each process otherwise."""

from pydantic import Field
from pydantic_settings import BaseSettings

from ...about import DISTRIBUTION
from .group import settings_group


class CacheSettings(BaseSettings):
    """How long cached reads live, and how many one process keeps."""

    model_config = settings_group("CACHE_")

    # Seconds a cached read is served before it is read again; 0 turns the
    # cache off. Every write through the API forgets what it changed at once;
    # this bounds what it cannot know of (a write by hand, a restore) and, with
    # no Redis, what another process still has cached.
    ttl_seconds: float = Field(default=30.0, ge=0, le=86_400)
    # Entries one process keeps when there is no Redis; the least recently
    # used go first.
    max_entries: int = Field(default=10_000, ge=1, le=10_000_000)
    # Prefix of every key in Redis, so services can share one.
    key_prefix: str = f"{DISTRIBUTION}:cache:"
