"""Reading and writing the jobs' ledger (`models.py`)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database.models import utcnow
from .models import ERROR_MAX_LENGTH, JobRecord, JobStatus


async def lock(session: AsyncSession, job_id: str) -> JobRecord | None:
    """The job's record, locked until the transaction ends (PostgreSQL).

    Two deliveries of one job that race both wait here; the second then sees
    the first one's `done`. On SQLite the writing transaction already holds
    the database's only write lock.
    """
    return await session.get(JobRecord, job_id, with_for_update=True)


def mark_done(
    session: AsyncSession,
    record: JobRecord | None,
    *,
    job_id: str,
    name: str,
    payload: dict[str, Any],
    attempts: int,
) -> None:
    """Record the job as done, in the transaction that did its work.

    A new record's primary key also settles a race that the lock cannot
    (there was no row to lock): the second commit fails, rolls its work back,
    and its retry finds the job done.
    """
    record = record or _added(session, job_id=job_id, name=name, payload=payload)
    record.status = JobStatus.DONE
    record.attempts = attempts
    record.error = None


async def keep_failed(
    session: AsyncSession,
    *,
    job_id: str,
    name: str,
    payload: dict[str, Any],
    attempts: int,
    error: str,
) -> None:
    """Keep a job that failed (or could not be sent) for an operator to replay.

    `error` is the type of the last error: its message may carry personal data.
    """
    record = await lock(session, job_id) or _added(
        session, job_id=job_id, name=name, payload=payload
    )
    record.status = JobStatus.FAILED
    record.attempts = attempts
    record.error = error[:ERROR_MAX_LENGTH]
    # Set here, not only by `onupdate`: a failure that repeats with the same
    # values must still move the record to the top of the list.
    record.updated_at = utcnow()


def _added(session: AsyncSession, *, job_id: str, name: str, payload: dict[str, Any]) -> JobRecord:
    record = JobRecord(id=job_id, name=name, payload=payload)
    session.add(record)
    return record


async def failed(session: AsyncSession, *, limit: int) -> Sequence[JobRecord]:
    """The failed jobs, the most recent failure first."""
    statement = (
        select(JobRecord)
        .where(JobRecord.status == JobStatus.FAILED)
        .order_by(JobRecord.updated_at.desc(), JobRecord.id)
        .limit(limit)
    )
    return (await session.scalars(statement)).all()


async def to_replay(session: AsyncSession, job_ids: Sequence[str]) -> Sequence[JobRecord]:
    """The failed jobs with these ids (every failed job when none is named), oldest first."""
    statement = select(JobRecord).where(JobRecord.status == JobStatus.FAILED)
    if job_ids:
        statement = statement.where(JobRecord.id.in_(job_ids))
    return (await session.scalars(statement.order_by(JobRecord.created_at))).all()


async def prune_done(session: AsyncSession, *, before: datetime) -> int:
    """Forget the jobs done before `before`; a redelivery older than that is not expected."""
    result = await session.execute(
        delete(JobRecord).where(JobRecord.status == JobStatus.DONE, JobRecord.updated_at < before)
    )
    return int(getattr(result, "rowcount", 0))


async def count_failed(session: AsyncSession) -> int:
    """How many failed jobs wait for an operator."""
    statement = (
        select(func.count()).select_from(JobRecord).where(JobRecord.status == JobStatus.FAILED)
    )
    return int(await session.scalar(statement) or 0)
