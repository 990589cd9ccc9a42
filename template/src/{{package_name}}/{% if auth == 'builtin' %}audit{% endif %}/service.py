"""Recording security events: one row and one structured log line each."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from structlog.typing import FilteringBoundLogger

from ..about import PACKAGE
from ..core.http.request_context import get_request_id
from .metrics import record_lockout, record_login, record_refresh_reuse
from .models import AuditEntry, AuditEvent

# A name of its own, so operators can route security events apart from the rest.
logger: FilteringBoundLogger = structlog.get_logger(logger_name=f"{PACKAGE}.audit")

# The security events that also move a Prometheus counter (dashboards and the
# failed-login alert); counting here keeps one call site per event.
_COUNTERS: dict[AuditEvent, Callable[[], None]] = {
    AuditEvent.LOGIN_SUCCEEDED: partial(record_login, success=True),
    AuditEvent.LOGIN_FAILED: partial(record_login, success=False),
    AuditEvent.ACCOUNT_LOCKED: record_lockout,
    AuditEvent.REFRESH_TOKEN_REUSED: record_refresh_reuse,
}

USER_AGENT_MAX_LENGTH = 255


@dataclass(frozen=True)
class RequestOrigin:
    """Where a request came from, as far as the service can tell."""

    client_address: str | None
    user_agent: str | None


class AuditLog:
    """Appends audit entries within the request's session.

    Entries commit with the request. Routes that answer an authentication
    failure return the problem response instead of raising, so the failure's
    entry (and the failed-login counter) is committed, not rolled back.
    """

    def __init__(self, session: AsyncSession, origin: RequestOrigin) -> None:
        self._session = session
        self._origin = origin

    async def record(
        self,
        event: AuditEvent,
        *,
        actor_id: uuid.UUID | None = None,
        target_id: uuid.UUID | None = None,
        **details: Any,
    ) -> None:
        """Append one entry and log it."""
        entry = AuditEntry(
            event=event,
            actor_id=actor_id,
            target_id=target_id,
            client_address=self._origin.client_address,
            user_agent=(self._origin.user_agent or "")[:USER_AGENT_MAX_LENGTH] or None,
            request_id=get_request_id(),
            details=details,
        )
        self._session.add(entry)
        await self._session.flush()
        logger.info(
            "audit",
            audit_event=event.value,
            actor_id=str(actor_id) if actor_id else None,
            target_id=str(target_id) if target_id else None,
            client_address=entry.client_address,
            user_agent=entry.user_agent,
            details=details,
        )
        if count := _COUNTERS.get(event):
            count()
