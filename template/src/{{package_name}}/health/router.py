"""Probes for orchestrators and load balancers.

Liveness says the process can serve (no dependencies, so a slow database never
gets a healthy container restarted); readiness says it should get traffic now.
"""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from ..core.database.engine import DatabaseDep
from ..core.errors.problems import DatabaseUnavailableError, problem_responses
from ..observability.metrics import record_readiness

router = APIRouter(prefix="/health", tags=["health"])


class HealthStatus(BaseModel):
    """A probe's answer."""

    status: Literal["ok"] = "ok"


@router.get("/live", summary="Liveness probe")
async def live() -> HealthStatus:
    """The process is up and its event loop answers."""
    return HealthStatus()


@router.get("/ready", summary="Readiness probe", responses=problem_responses(503))
async def ready(database: DatabaseDep) -> HealthStatus:
    """The database answers within the readiness budget."""
    try:
        await database.ping()
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        record_readiness(ready=False)
        raise DatabaseUnavailableError from exc
    record_readiness(ready=True)
    return HealthStatus()
