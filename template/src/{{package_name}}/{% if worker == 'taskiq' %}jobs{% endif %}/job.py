"""What a job is: a name, the model of its arguments, and the function that does it."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

ArgsT = TypeVar("ArgsT", bound=BaseModel)


class PermanentJobError(Exception):
    """Raised by a job that can never succeed with these arguments: it is not retried."""


@dataclass(frozen=True)
class Job(Generic[ArgsT]):
    """A kind of job.

    `run` gets a session whose transaction also records the job as done, and is
    committed only if `run` returns: what a job writes happens exactly once,
    however often it is delivered. Work outside the database (a call to another
    service) must itself be idempotent, e.g. keyed by the job's arguments.
    """

    # Stable: queued jobs and failed ones refer to it. `<domain>.<verb_or_event>`.
    name: str
    args: type[ArgsT]
    run: Callable[[AsyncSession, ArgsT], Awaitable[None]]
