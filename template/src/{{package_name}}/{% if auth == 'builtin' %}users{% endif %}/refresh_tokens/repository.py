"""Queries of refresh tokens."""

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ...core.database.models import utcnow
from .models import RefreshToken


class RefreshTokenRepository:
    """Stores, claims and revokes refresh tokens."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: RefreshToken) -> None:
        """Insert an issued token."""
        self._session.add(token)
        await self._session.flush()

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        """The token with this digest, if one was ever issued."""
        return await self._session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        )

    async def claim(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Mark an unused, unrevoked token used; `False` if another request got there first.

        One conditional UPDATE, so two concurrent refreshes with the same token
        cannot both succeed: the loser is treated as a reuse.
        """
        result = await self._session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.id == token_id,
                RefreshToken.used_at.is_(None),
                RefreshToken.revoked_at.is_(None),
            )
            .values(used_at=now)
        )
        return isinstance(result, CursorResult) and result.rowcount == 1

    async def revoke_family(self, family_id: uuid.UUID) -> None:
        """Revoke every token of one login's chain."""
        await self._revoke(RefreshToken.family_id == family_id)

    async def revoke_user(self, user_id: uuid.UUID) -> None:
        """Revoke every token of a user: logged out everywhere."""
        await self._revoke(RefreshToken.user_id == user_id)

    async def _revoke(self, condition: ColumnElement[bool]) -> None:
        await self._session.execute(
            update(RefreshToken)
            .where(condition, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
