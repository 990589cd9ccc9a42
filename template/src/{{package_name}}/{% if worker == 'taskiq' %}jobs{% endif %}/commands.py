"""The operator's commands: list the failed jobs, and send them again (`<command> jobs ...`)."""

from collections.abc import Sequence

from ..core.database.engine import Database
from ..core.settings.config import DatabaseSettings
from ..core.settings.jobs import JobsSettings
from . import ledger
from .broker import create_broker, send
from .models import JobRecord


async def list_failed(database_settings: DatabaseSettings, *, limit: int) -> Sequence[JobRecord]:
    """The failed jobs, the most recent failure first."""
    database = Database(database_settings)
    try:
        async with database.sessionmaker() as session:
            return await ledger.failed(session, limit=limit)
    finally:
        await database.dispose()


async def replay(
    database_settings: DatabaseSettings,
    settings: JobsSettings,
    broker_url: str,
    job_ids: Sequence[str],
) -> list[str]:
    """Send the failed jobs with these ids again (all failed jobs when none are named).

    Each keeps its id, so the run that succeeds turns its record to done, and
    one that was done meanwhile is not run twice. Returns the ids sent.
    """
    database = Database(database_settings)
    broker = create_broker(settings, broker_url)
    try:
        async with database.sessionmaker() as session:
            records = await ledger.to_replay(session, job_ids)
        await broker.startup()
        for record in records:
            await send(broker, record.name, record.id, record.payload)
        return [record.id for record in records]
    finally:
        await broker.shutdown()
        await database.dispose()
