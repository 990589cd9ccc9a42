"""HTTP endpoint of the audit log: read-only, admins only."""

import uuid

from fastapi import APIRouter

from ..access.guards import AdminDep
from ..core.database.engine import SessionDep
from ..core.database.pagination import Page, PageDep
from ..core.errors.problems import problem_responses
from ..core.types import UtcDatetime
from .models import AuditEvent
from .repository import AuditRepository
from .schemas import AuditEntryRead

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", summary="List audit entries (admin)", responses=problem_responses(401, 403, 422))
async def list_audit_entries(
    *,
    _admin: AdminDep,
    session: SessionDep,
    page: PageDep,
    event: AuditEvent | None = None,
    actor_id: uuid.UUID | None = None,
    target_id: uuid.UUID | None = None,
    since: UtcDatetime | None = None,
) -> Page[AuditEntryRead]:
    """Security events, newest first, filtered by event, actor, target or time."""
    entries, next_cursor = await AuditRepository(session).list(
        event=event, actor_id=actor_id, target_id=target_id, since=since, page=page
    )
    return Page(
        items=[AuditEntryRead.model_validate(entry) for entry in entries], next_cursor=next_cursor
    )
