"""Background jobs (`JOBS_*`): the broker, retries, and how the worker runs."""

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from .group import settings_group
from .secrets import SecretFilesSettings

# The broker a URL names, by scheme: Redis streams or RabbitMQ.
BROKER_SCHEMES = {
    "redis": "redis",
    "rediss": "redis",
    "amqp": "rabbitmq",
    "amqps": "rabbitmq",
}


class JobsSettings(SecretFilesSettings):
    """Where jobs are queued, how often a failing one is tried, and the worker's limits."""

    model_config = settings_group("JOBS_")

    # `redis://host:6379/0` or `amqp://user:password@host:5672/vhost`. A secret:
    # it carries the password. Unset outside production: jobs cannot be sent and
    # are kept as failed ones to replay (`<command> jobs replay`).
    broker_url: SecretStr | None = None
    # The queue (Redis stream or RabbitMQ queue) this service's jobs go through.
    queue: str = Field(default="jobs", pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
    # Seconds a request waits for the broker to take a job after its commit;
    # then the job is kept as failed, and the request still succeeds.
    enqueue_timeout: float = Field(default=2.0, gt=0, le=30)
    # Attempts of a job that raises, with exponential backoff and jitter between
    # them; then it is kept as failed.
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_wait_initial: float = Field(default=1.0, ge=0, le=600)
    retry_wait_max: float = Field(default=60.0, ge=0, le=3600)
    # Seconds one attempt may run before it is cancelled and counts as failed.
    attempt_timeout: float = Field(default=300.0, gt=0, le=86_400)
    # Jobs one worker process runs at once.
    concurrency: int = Field(default=10, ge=1, le=1000)
    # Seconds the worker gives jobs in progress after SIGTERM; keep it below the
    # orchestrator's kill timeout. Jobs still running then are not acknowledged,
    # so the broker delivers them again.
    shutdown_timeout: float = Field(default=20.0, gt=0, le=3600)
    # Seconds a Redis job taken by a worker that died stays unacknowledged
    # before another worker claims it; keep it above attempt_timeout.
    redelivery_timeout: float = Field(default=600.0, gt=0, le=86_400)
    # Entries a Redis stream keeps: acknowledged jobs stay in it until trimmed
    # (the oldest first, about this many kept). Far above any healthy backlog:
    # JobQueueGrowing fires long before a waiting job could be trimmed.
    redis_stream_max_length: int = Field(default=100_000, ge=1000, le=100_000_000)
    # Days a done job is remembered, so that a late redelivery of it does nothing.
    done_retention_days: int = Field(default=7, ge=1, le=365)
    # The worker's Prometheus metrics (jobs run, their duration, the queue's depth).
    metrics_port: int = Field(default=9100, ge=1, le=65535)

    @field_validator("broker_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("broker_url")
    @classmethod
    def _known_broker(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and urlsplit(value.get_secret_value()).scheme not in BROKER_SCHEMES:
            allowed = ", ".join(f"{scheme}://" for scheme in BROKER_SCHEMES)
            raise ValueError(f"must start with one of {allowed}")
        return value

    @property
    def broker(self) -> str | None:
        """`redis` or `rabbitmq`, from the URL's scheme; None without a URL."""
        if self.broker_url is None:
            return None
        return BROKER_SCHEMES[urlsplit(self.broker_url.get_secret_value()).scheme]


def jobs_production_problems(jobs: JobsSettings) -> list[str]:
    """What is wrong for production in the jobs' settings."""
    if jobs.broker_url is None:
        return [
            "JOBS_BROKER_URL must name the broker (redis://... or amqp://...):"
            " without it no job is ever run."
        ]
    return []
