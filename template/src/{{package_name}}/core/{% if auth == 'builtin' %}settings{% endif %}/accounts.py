"""Settings of the built-in accounts: passwords, sessions and the access tokens' keys.

See README "Authentication".
"""

from datetime import timedelta
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from ...about import DISTRIBUTION
from .group import settings_group
from .secrets import SecretFilesSettings

# RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
MIN_HMAC_KEY_LENGTH = {"HS256": 32, "HS384": 48, "HS512": 64}
# OWASP Password Storage Cheat Sheet: argon2id with m=19 MiB, t=2, p=1 at least.
OWASP_MIN_MEMORY_KIB = 19_456
OWASP_MIN_TIME_COST = 2

JwtAlgorithm = Literal["HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"]


class AuthSettings(SecretFilesSettings):
    """Accounts, sessions and the defences of the login endpoint."""

    model_config = settings_group("AUTH_")

    # Unset: open in development and test, closed in production.
    registration_open: bool | None = None
    access_token_minutes: int = Field(default=15, ge=1, le=1440)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    # Consecutive failures that lock an account, and for how long.
    max_failed_logins: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=1440)
    # Login attempts per minute from one client address, and password attempts
    # (logins and password changes) against one account.
    login_attempts_per_address: int = Field(default=30, ge=1)
    login_attempts_per_account: int = Field(default=10, ge=1)
    hash_time_cost: int = Field(default=OWASP_MIN_TIME_COST, ge=OWASP_MIN_TIME_COST, le=10)
    hash_memory_kib: int = Field(default=OWASP_MIN_MEMORY_KIB, ge=OWASP_MIN_MEMORY_KIB)
    hash_parallelism: int = Field(default=1, ge=1, le=8)
    # Hashes computed at once in worker threads; more would only queue on the CPUs.
    hash_concurrency: int = Field(default=2, ge=1, le=64)

    @property
    def refresh_lifetime(self) -> timedelta:
        """How long a refresh token stays valid if unused."""
        return timedelta(days=self.refresh_token_days)


class JwtSettings(SecretFilesSettings):
    """How access tokens are signed and what they must claim."""

    model_config = settings_group("JWT_")

    algorithm: JwtAlgorithm = "HS256"
    # HS*: the shared secret. RS256/ES256/EdDSA: PEM keys instead.
    secret_key: SecretStr | None = None
    private_key: SecretStr | None = None
    public_key: str | None = None
    issuer: str = DISTRIBUTION
    audience: str = DISTRIBUTION
    # Clock skew tolerated between the issuer and this service.
    leeway_seconds: int = Field(default=10, ge=0, le=300)

    @model_validator(mode="after")
    def _key_long_enough(self) -> "JwtSettings":
        minimum = MIN_HMAC_KEY_LENGTH.get(self.algorithm, 0)
        if self.secret_key is not None and len(self.secret_key.get_secret_value()) < minimum:
            msg = f"JWT_SECRET_KEY must be at least {minimum} characters for {self.algorithm}"
            raise ValueError(msg)
        return self

    @property
    def is_symmetric(self) -> bool:
        """Whether the algorithm signs with a shared secret (HMAC)."""
        return self.algorithm.startswith("HS")


def accounts_production_problems(jwt: JwtSettings) -> list[str]:
    """What production refuses in the token settings; empty when all is well."""
    if jwt.is_symmetric and jwt.secret_key is None:
        return ["JWT_SECRET_KEY must be set (e.g. `openssl rand -base64 48`)."]
    if not jwt.is_symmetric and (jwt.private_key is None or jwt.public_key is None):
        return [f"JWT_PRIVATE_KEY and JWT_PUBLIC_KEY must be set for {jwt.algorithm}."]
    return []
