"""Calls to other services: timeouts, pool, retries and circuit breakers (`OUTBOUND_*`).

Every upstream the service calls shares these; an upstream's address is a
setting of the domain that calls it (`INVENTORY_URL`).
"""

from pydantic import Field, HttpUrl, field_validator
from pydantic_settings import BaseSettings

from .group import settings_group


class OutboundSettings(BaseSettings):
    """How the shared HTTP client waits, retries and gives up."""

    model_config = settings_group("OUTBOUND_")

    # Seconds to open a connection, to wait between bytes of an answer, and to
    # wait for a free connection of the pool.
    connect_timeout: float = Field(default=2.0, gt=0, le=60)
    read_timeout: float = Field(default=5.0, gt=0, le=300)
    pool_timeout: float = Field(default=1.0, gt=0, le=60)
    # Connections open at once to all upstreams, and those kept idle for reuse.
    max_connections: int = Field(default=100, ge=1, le=10_000)
    max_keepalive_connections: int = Field(default=20, ge=0, le=10_000)
    # Seconds, from when an endpoint that calls upstreams starts, after which
    # none of its calls is waited for, retries and backoff included: a slow
    # upstream cannot hold a request (and its connection) longer than this.
    deadline: float = Field(default=10.0, gt=0, le=300)
    # Attempts of an idempotent call (GET, HEAD, OPTIONS, PUT, DELETE) that
    # failed transiently; other methods are tried once.
    retry_attempts: int = Field(default=3, ge=1, le=10)
    # Backoff before the first retry; it doubles (plus jitter) up to the maximum.
    retry_wait_initial: float = Field(default=0.1, ge=0, le=60)
    retry_wait_max: float = Field(default=2.0, ge=0, le=300)
    # Failures in a row that open an upstream's circuit, and seconds it stays
    # open (calls fail at once) before one is let through to probe it.
    breaker_threshold: int = Field(default=5, ge=1, le=1000)
    breaker_reset: float = Field(default=30.0, gt=0, le=3600)


class InventorySettings(BaseSettings):
    """The example upstream of the items domain (`GET /items/{id}/stock`)."""

    model_config = settings_group("INVENTORY_")

    # Unset: the service has no stock route.
    url: HttpUrl | None = None

    @field_validator("url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value
