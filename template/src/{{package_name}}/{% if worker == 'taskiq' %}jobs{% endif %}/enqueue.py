"""Sending jobs from requests, once their transaction has committed.

Sent after the commit, a job never runs for work that was rolled back; the
price is a window in which the commit stands and the send fails. Such a job is
kept as failed, at once, in the same database, for `jobs replay`: the request
still succeeds and nothing is lost.
"""

import asyncio
import uuid
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from structlog.typing import FilteringBoundLogger
from taskiq import AsyncBroker

from ..core.database.engine import Database
from ..core.fail_open import FailOpen
from ..core.settings.jobs import JobsSettings
from . import ledger
from .broker import create_broker, send
from .job import ArgsT, Job
from .metrics import BROKER_FAILURES, JOBS_SENT, SendOutcome

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)

# After a failed send, jobs are kept without trying the broker for this long:
# an outage costs one JOBS_ENQUEUE_TIMEOUT per back-off, not one per request.
BROKER_BACKOFF_SECONDS = 5.0


class BrokerNotConfiguredError(Exception):
    """JOBS_BROKER_URL is unset: jobs can only be kept."""


class Jobs:
    """The process's way to the broker; connects on the first send."""

    def __init__(self, settings: JobsSettings, database: Database) -> None:
        self._settings = settings
        self._database = database
        self._broker: AsyncBroker | None = None
        if settings.broker_url is not None:
            self._broker = create_broker(settings, settings.broker_url.get_secret_value())
        self._started = False
        self._starting = asyncio.Lock()
        self._guard = FailOpen(
            "job_broker",
            errors=(Exception,),
            backoff=BROKER_BACKOFF_SECONDS,
            failures=BROKER_FAILURES,
            logger=_logger,
        )

    async def send(self, job: Job[ArgsT], args: ArgsT) -> str:
        """Send the job, or keep it as failed if the broker does not take it in time.

        Call it after the commit. Returns the job's id.
        """
        job_id = uuid.uuid4().hex
        payload = args.model_dump(mode="json")
        # What the ledger and the log keep of why the job was not sent.
        reason = "BrokerBackingOff"
        if self._guard.may_call():
            try:
                async with asyncio.timeout(self._settings.enqueue_timeout):
                    await self._kick(job.name, job_id, payload)
            # Whatever the broker's client raises, the job is kept.
            except Exception as failure:  # noqa: BLE001
                reason = type(failure).__qualname__
                self._guard.failed(failure)
            else:
                self._guard.succeeded()
                JOBS_SENT.labels(job.name, SendOutcome.SENT.value).inc()
                return job_id
        await self._keep(job, job_id, payload, reason)
        return job_id

    async def _kick(self, name: str, job_id: str, payload: dict[str, Any]) -> None:
        if self._broker is None:
            raise BrokerNotConfiguredError
        if not self._started:
            async with self._starting:
                if not self._started:
                    await self._broker.startup()
                    self._started = True
        await send(self._broker, name, job_id, payload)

    async def _keep(self, job: Job[Any], job_id: str, payload: dict[str, Any], reason: str) -> None:
        JOBS_SENT.labels(job.name, SendOutcome.KEPT.value).inc()
        try:
            async with (
                asyncio.timeout(self._database.request_timeout),
                self._database.writing_session() as session,
            ):
                await ledger.keep_failed(
                    session,
                    job_id=job_id,
                    name=job.name,
                    payload=payload,
                    attempts=0,
                    error=reason,
                )
        except (SQLAlchemyError, OSError, TimeoutError):
            # The broker and the database at once: only the log has it now.
            _logger.error("job_lost", job=job.name, job_id=job_id)
        else:
            _logger.warning("job_kept", job=job.name, job_id=job_id, error=reason)

    async def close(self) -> None:
        """Close the broker's connections."""
        if self._broker is not None and self._started:
            await self._broker.shutdown()


async def get_jobs(request: Request) -> Jobs:
    """The `Jobs` the lifespan stored on the application."""
    jobs: Jobs = request.app.state.jobs
    return jobs


JobsDep = Annotated[Jobs, Depends(get_jobs)]
