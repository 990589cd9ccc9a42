"""The jobs' ledger: jobs that are done (so a redelivery does nothing) and jobs that failed."""

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.database.models import Base, TimestampMixin

ERROR_MAX_LENGTH = 200


class JobStatus(StrEnum):
    """Where a job stands; a job that was never sent or never finished has no record."""

    DONE = "done"
    # Kept for an operator: it failed every attempt, or could not be sent.
    FAILED = "failed"


class JobRecord(TimestampMixin, Base):
    """One job, by its id: the same for every delivery, retry and replay of it."""

    __tablename__ = "job_records"
    __table_args__ = (
        # The failed jobs, newest first (`jobs failed`), and the pruning of old done ones.
        Index("ix_job_records_status_updated_at", "status", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The job's arguments, as sent: what a replay sends again.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[JobStatus] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    # The type of the last error only: messages may carry personal data.
    error: Mapped[str | None] = mapped_column(String(ERROR_MAX_LENGTH))
