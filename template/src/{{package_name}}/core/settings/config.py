"""Settings read from environment variables and an optional `.env` file.

Each group is its own `BaseSettings` with an environment prefix, so the variables
stay flat and conventional (`DATABASE_URL`, `PORT`) while the code reads
`settings.database.url`. `.env.example` documents every variable.
"""

from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings
from sqlalchemy.engine import URL, make_url

from ...about import TITLE
from .errors import (
    ConfigurationError,
    SettingsProblemsError,
    describe,
    load_group,
)
from .group import settings_group
from .production import production_problems
from .secrets import SecretFilesSettings
from .security import AuthSettings, HttpSecuritySettings, JwtSettings
from .tracing import TracingSettings

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/app.db"

# The async driver for PostgreSQL. asyncpg was chosen by measurement (see
# README "Database"): it serves the service's query shapes faster than psycopg 3.
_POSTGRES_ASYNC_DRIVER = "postgresql+asyncpg"


class Environment(StrEnum):
    """Where the service runs; production turns on the strictest checks."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServerSettings(BaseSettings):
    """How uvicorn listens. Unprefixed because `HOST`/`PORT` are platform conventions."""

    model_config = settings_group("")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Addresses of the proxies whose X-Forwarded-* headers are trusted.
    forwarded_allow_ips: str = "127.0.0.1"
    # Seconds a client has to send a whole request line and headers: from the
    # connection's start, or from the first byte of a later request on it.
    header_timeout: float = Field(default=10.0, gt=0, le=300)
    # Seconds a client has to send a request's body once its headers are in:
    # MAX_BODY_BYTES (1 MiB) in 30 s is 35 KB/s, slower than any real client.
    body_timeout: float = Field(default=30.0, gt=0, le=3600)
    # Seconds an idle connection is kept open between requests. Behind a load
    # balancer, keep it above the balancer's idle timeout (ALB: 60), or the
    # balancer reuses a connection as the server closes it and answers 502.
    keep_alive_timeout: int = Field(default=5, ge=1, le=3600)
    # Connections, and requests in progress, one process holds at once; more
    # are answered 503, before they can use up its file descriptors.
    max_connections: int = Field(default=1000, ge=1, le=100_000)
    # Seconds in-flight requests get to finish after SIGTERM; keep it below the
    # orchestrator's kill timeout (ECS and Kubernetes default to 30 s).
    shutdown_timeout: int = Field(default=20, ge=1, le=300)


class DatabaseSettings(SecretFilesSettings):
    """Connection and pool. Without configuration: a local SQLite file."""

    model_config = settings_group("DATABASE_")

    # A secret because PostgreSQL URLs carry the password.
    url: SecretStr = SecretStr(DEFAULT_DATABASE_URL)
    # Connections kept open. Above that, a request waits for one (up to
    # pool_timeout) rather than opening one that is closed again on return: a
    # burst then reuses connections instead of paying a connect for a few requests.
    pool_size: int = Field(default=10, ge=1, le=100)
    max_overflow: int = Field(default=0, ge=0, le=100)
    pool_timeout: float = Field(default=10.0, gt=0, le=120)
    # Recycle connections before server-side or load-balancer idle timeouts cut them.
    pool_recycle: int = Field(default=1800, ge=60)
    # A pooled connection idle for longer is asked once (`SELECT 1`) before a
    # request gets it; a busy one is not (see core/database/liveness.py).
    pool_ping_after: float = Field(default=30.0, ge=0, le=3600)
    # Seconds to open a connection; on SQLite, how long to wait for a lock.
    connect_timeout: float = Field(default=5.0, gt=0, le=60)
    # Seconds one statement may take (PostgreSQL), the pool's ping included:
    # the server cancels it and the client stops waiting, even if the network
    # drops every packet.
    statement_timeout: float = Field(default=15.0, gt=0, le=600)
    # Seconds a request may hold its database session, from checkout to commit;
    # then it ends with 503. Bounds what the timeouts above do not: a wait made
    # of many statements, or one whose packets a partition swallows.
    request_timeout: float = Field(default=30.0, gt=0, le=600)
    # The readiness probe's budget for one `SELECT 1`.
    ready_timeout: float = Field(default=2.0, gt=0, le=30)
    echo: bool = False

    @property
    def async_url(self) -> URL:
        """The URL with an async driver: `postgresql://` becomes asyncpg."""
        url = make_url(self.url.get_secret_value())
        if url.drivername in {"postgres", "postgresql"}:
            return url.set(drivername=_POSTGRES_ASYNC_DRIVER)
        return url

    @property
    def is_sqlite(self) -> bool:
        """Whether the URL names SQLite, which needs its own engine setup."""
        return self.async_url.get_backend_name() == "sqlite"


class ObservabilitySettings(BaseSettings):
    """Logs and metrics. Unprefixed: `LOG_FORMAT` sits next to `LOG_LEVEL`."""

    model_config = settings_group("")

    # JSON lines for log collectors; `console` is for a developer's terminal.
    # Unset: console in development, JSON everywhere else.
    log_format: Literal["json", "console"] | None = None
    # Serve Prometheus metrics at /metrics on the main port.
    metrics_enabled: bool = True
    # When set, /metrics requires `Authorization: Bearer <token>` (the port is public).
    metrics_token: SecretStr | None = None
    # The commit this build was made from, for the build-info metric (set by CI).
    build_commit: str = "unknown"

    @field_validator("log_format", "metrics_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `LOG_FORMAT=` or `METRICS_TOKEN=` in a .env means "not set", not "".
        return None if value == "" else value


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = settings_group("")

    environment: Environment = Environment.DEVELOPMENT
    app_name: str = TITLE
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Swagger UI, ReDoc and the OpenAPI document; unset means off in production only.
    docs_enabled: bool | None = None
    # Tracebacks in error responses; refused in production.
    debug: bool = False

    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    jwt: JwtSettings = Field(default_factory=JwtSettings)
    http: HttpSecuritySettings = Field(default_factory=HttpSecuritySettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> "Settings":
        if self.environment is not Environment.PRODUCTION:
            return self
        problems = production_problems(
            debug=self.debug,
            jwt=self.jwt,
            http=self.http,
            database_is_sqlite=self.database.is_sqlite,
            metrics_open=self.observability.metrics_enabled
            and self.observability.metrics_token is None,
        )
        if problems:
            raise SettingsProblemsError("refusing to start in production: ", problems)
        return self

    @property
    def registration_open(self) -> bool:
        """Whether anyone may register; unset means closed in production only."""
        if self.auth.registration_open is not None:
            return self.auth.registration_open
        return self.environment is not Environment.PRODUCTION

    @property
    def serve_docs(self) -> bool:
        """Whether /docs, /redoc and /openapi.json are served; unset means not in production."""
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.environment is not Environment.PRODUCTION


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` to reload.

    Raises ConfigurationError naming every invalid variable, of every group.
    """
    problems: list[str] = []
    groups: dict[str, Any] = {}
    for name, field in Settings.model_fields.items():
        group = field.annotation
        if isinstance(group, type) and issubclass(group, BaseSettings):
            try:
                groups[name] = load_group(group)
            except ConfigurationError as error:
                problems += error.problems
                # A stand-in, so the ungrouped variables are still checked in this run.
                groups[name] = group.model_construct()
    try:
        settings = Settings(**groups)
    except ValidationError as error:
        problems += describe(error, Settings, across_fields=not problems)
    if problems:
        raise ConfigurationError(problems)
    return settings
