"""Queries of the audit log: reads only, by design."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database.pagination import PageParams, fetch_page
from .models import AuditEntry, AuditEvent


class AuditRepository:
    """Filters and pages the audit log."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list(
        self,
        *,
        event: AuditEvent | None,
        actor_id: uuid.UUID | None,
        target_id: uuid.UUID | None,
        since: datetime | None,
        page: PageParams,
    ) -> tuple[Sequence[AuditEntry], str | None]:
        """One page of matching entries, newest first, and the next cursor.

        Each filter leads an index that ends in (created_at, id), so a page is
        read from an index whichever filter the admin picks.
        """
        query = select(AuditEntry)
        if event is not None:
            query = query.where(AuditEntry.event == event)
        if actor_id is not None:
            query = query.where(AuditEntry.actor_id == actor_id)
        if target_id is not None:
            query = query.where(AuditEntry.target_id == target_id)
        if since is not None:
            query = query.where(AuditEntry.created_at >= since)
        key = (AuditEntry.created_at, AuditEntry.id)
        return await fetch_page(self._session, query, page, key=key, newest_first=True)
