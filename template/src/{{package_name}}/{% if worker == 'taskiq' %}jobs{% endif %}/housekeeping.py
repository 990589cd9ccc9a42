"""The worker's periodic chores: the backlog and failed-jobs gauges, and pruning the ledger."""

import asyncio
from datetime import timedelta

import structlog
from sqlalchemy.exc import SQLAlchemyError
from structlog.typing import FilteringBoundLogger

from ..core.database.engine import Database
from ..core.database.models import utcnow
from ..core.settings.jobs import JobsSettings
from . import ledger
from .depth import rabbitmq_depth, redis_depth
from .metrics import FAILED_KEPT, QUEUE_DEPTH

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)

# Seconds between two looks at the queue; Prometheus scrapes every 15 s.
INTERVAL_SECONDS = 15.0
# Looks between two prunings of done jobs: about once an hour.
PRUNE_EVERY = 240


class Housekeeping:
    """Runs in the worker's event loop from startup to shutdown."""

    def __init__(self, settings: JobsSettings, broker_url: str, database: Database) -> None:
        self._settings = settings
        self._broker_url = broker_url
        self._database = database
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin the chores in the background."""
        self._task = asyncio.create_task(self._loop(), name="jobs-housekeeping")

    async def stop(self) -> None:
        """End them; a chore in progress is abandoned."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        looks = 0
        while True:
            await self.look(prune=looks % PRUNE_EVERY == 0)
            looks += 1
            await asyncio.sleep(INTERVAL_SECONDS)

    async def look(self, *, prune: bool) -> None:
        """Update the gauges once, and prune when asked; a failure is logged, not raised."""
        depth = rabbitmq_depth if self._settings.broker == "rabbitmq" else redis_depth
        try:
            async with asyncio.timeout(self._settings.enqueue_timeout):
                QUEUE_DEPTH.labels(self._settings.queue).set(
                    await depth(self._broker_url, self._settings.queue)
                )
        # The broker's clients raise their own errors; the next look tries again.
        except Exception as error:  # noqa: BLE001
            _logger.warning("job_queue_depth_unknown", error=type(error).__name__)
        try:
            async with self._database.writing_session() as session:
                FAILED_KEPT.set(await ledger.count_failed(session))
                if prune:
                    before = utcnow() - timedelta(days=self._settings.done_retention_days)
                    pruned = await ledger.prune_done(session, before=before)
                    _logger.info("job_ledger_pruned", done_jobs_forgotten=pruned)
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            _logger.warning("job_ledger_unavailable", error=type(error).__name__)
