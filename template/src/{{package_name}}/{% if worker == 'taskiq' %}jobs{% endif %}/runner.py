"""Running one delivery of a job: at most once to completion, retried, else kept as failed."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import stamina
import structlog
from pydantic import ValidationError
from structlog.typing import FilteringBoundLogger

from ..core.database.engine import Database
from ..core.settings.jobs import JobsSettings
from . import ledger
from .job import Job, PermanentJobError
from .metrics import JOB_DURATION, RunOutcome
from .models import JobStatus

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)


class _AttemptFailedError(Exception):
    """One attempt's failure, by the type of its error only.

    What stamina logs of a retry, and what the ledger keeps, is this: the
    error's message may carry personal data from the job's arguments.
    """

    def __init__(self, error: Exception) -> None:
        super().__init__(type(error).__qualname__)
        self.error_type = type(error).__qualname__
        # Anything may pass (a deadlock, a dropped connection, a busy upstream),
        # except what the job itself says never will.
        self.worth_retrying = not isinstance(error, PermanentJobError | ValidationError)


def _worth_retrying(error: Exception) -> bool:
    return isinstance(error, _AttemptFailedError) and error.worth_retrying


class JobRunner:
    """Runs jobs against the database with the retry policy of the settings."""

    def __init__(self, database: Database, settings: JobsSettings) -> None:
        self._database = database
        self._settings = settings

    async def run(self, job: Job[Any], job_id: str, payload: dict[str, Any]) -> RunOutcome:
        """Run the job unless it is done; retry it; keep it as failed when it keeps failing.

        Never raises for the job's own errors: the broker is told the delivery
        is handled either way, and a failed job waits in the ledger for a replay.
        """
        started = time.perf_counter()
        logger = _logger.bind(job=job.name, job_id=job_id)
        attempts = 0
        try:
            async for attempt in self._retries(on=_worth_retrying):
                with attempt:
                    attempts = attempt.num
                    try:
                        args = job.args.model_validate(payload)
                        async with asyncio.timeout(self._settings.attempt_timeout):
                            outcome = await self._attempt(job, job_id, payload, args, attempts)
                    # Whatever a job raises, it is retried or kept, never lost.
                    except Exception as error:  # noqa: BLE001
                        raise _AttemptFailedError(error) from None
        except _AttemptFailedError as failure:
            outcome = RunOutcome.FAILED
            logger.error("job_failed", attempts=attempts, error=failure.error_type)
            await self._keep_failed(job, job_id, payload, attempts, failure.error_type)
        else:
            logger.info("job_finished", outcome=outcome.value, attempts=attempts)
        JOB_DURATION.labels(job.name, outcome.value).observe(time.perf_counter() - started)
        return outcome

    def _retries(
        self, *, on: type[Exception] | Callable[[Exception], bool]
    ) -> AsyncIterator[stamina.Attempt]:
        # Exponential backoff with jitter, bounded by attempts, not by time:
        # each attempt has its own timeout.
        return stamina.retry_context(
            on=on,
            attempts=self._settings.max_attempts,
            timeout=None,
            wait_initial=self._settings.retry_wait_initial,
            wait_max=self._settings.retry_wait_max,
        )

    async def _attempt(
        self, job: Job[Any], job_id: str, payload: dict[str, Any], args: Any, attempts: int
    ) -> RunOutcome:
        async with self._database.writing_session() as session:
            record = await ledger.lock(session, job_id)
            if record is not None and record.status == JobStatus.DONE:
                return RunOutcome.DUPLICATE
            await job.run(session, args)
            ledger.mark_done(
                session, record, job_id=job_id, name=job.name, payload=payload, attempts=attempts
            )
        return RunOutcome.DONE

    async def _keep_failed(
        self,
        job: Job[Any],
        job_id: str,
        payload: dict[str, Any],
        attempts: int,
        error: str,
    ) -> None:
        # The database may be what failed the job: keep trying to record it as
        # long as a job would have been tried.
        async for attempt in self._retries(on=Exception):
            with attempt:
                async with self._database.writing_session() as session:
                    await ledger.keep_failed(
                        session,
                        job_id=job_id,
                        name=job.name,
                        payload=payload,
                        attempts=attempts,
                        error=error,
                    )
