"""Settings of the HTTP hardening every request goes through."""

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from ...about import DISTRIBUTION
from .group import settings_group
from .secrets import SecretFilesSettings

CommaList = Annotated[list[str], NoDecode]


class HttpSecuritySettings(SecretFilesSettings):
    """Limits and headers applied to every request. Unprefixed, like `HOST`."""

    model_config = settings_group("")

    # Comma-separated origins allowed by CORS; empty: no cross-origin browser calls.
    cors_origins: CommaList = Field(default_factory=list)
    cors_allow_credentials: bool = False
    # Comma-separated Host header values accepted; `*` accepts any.
    trusted_hosts: CommaList = Field(default_factory=lambda: ["*"])
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Sent only on HTTPS requests (directly or via a trusted TLS proxy).
    hsts_seconds: int = Field(default=31_536_000, ge=0)
    # Requests per minute per client address; 0 turns the limit off.
    rate_limit_per_minute: int = Field(default=600, ge=0)
    # Shared counters across replicas; without it each process counts alone.
    redis_url: SecretStr | None = None
    # Connect and read timeout of each Redis call. Redis answers in about a
    # millisecond; a request waits at most this long (twice, with the one retry)
    # before the limiter gives up and allows it.
    redis_timeout_seconds: float = Field(default=0.25, gt=0, le=5)
    # After a Redis failure, requests skip Redis (and are not counted) this long
    # before one of them tries again.
    redis_backoff_seconds: float = Field(default=5.0, gt=0, le=300)
    # Prefix of every rate-limit key, so services can share one Redis.
    rate_limit_key_prefix: str = f"{DISTRIBUTION}:rl:"

    @field_validator("cors_origins", "trusted_hosts", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
