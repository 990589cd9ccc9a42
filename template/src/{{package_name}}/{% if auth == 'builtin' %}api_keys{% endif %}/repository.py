"""Queries of API keys."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database.pagination import PageParams, fetch_page
from .models import ApiKey


class ApiKeyRepository:
    """Loads and stores `ApiKey` rows within the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key_id: uuid.UUID) -> ApiKey | None:
        """The key with this id, if any."""
        return await self._session.get(ApiKey, key_id)

    async def get_by_hash(self, key_hash: str) -> ApiKey | None:
        """The key with this digest, if any."""
        return await self._session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))

    async def list(
        self, user_id: uuid.UUID | None, page: PageParams
    ) -> tuple[Sequence[ApiKey], str | None]:
        """One page of the keys of one user, or of everyone; newest first; the next cursor."""
        query = select(ApiKey)
        if user_id is not None:
            query = query.where(ApiKey.user_id == user_id)
        key = (ApiKey.created_at, ApiKey.id)
        return await fetch_page(self._session, query, page, key=key, newest_first=True)

    async def add(self, key: ApiKey) -> ApiKey:
        """Insert a key."""
        self._session.add(key)
        await self._session.flush()
        return key

    async def record_use(
        self, key_id: uuid.UUID, when: datetime, *, unless_since: datetime
    ) -> None:
        """Set `last_used_at` to `when`, unless a use at or after `unless_since` is recorded."""
        # Conditional, so concurrent first uses of one key write it once.
        recorded_recently = ApiKey.last_used_at >= unless_since
        await self._session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, or_(ApiKey.last_used_at.is_(None), ~recorded_recently))
            .values(last_used_at=when)
        )

    async def flush(self) -> None:
        """Write pending changes."""
        await self._session.flush()
