"""Queries of the users domain."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database.pagination import PageParams, fetch_page
from .models import User


class UserRepository:
    """Loads and stores `User` rows within the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        """The user with this id, if any."""
        return await self._session.get(User, user_id)

    async def get_by_email(self, email: str) -> User | None:
        """The user with this (normalized) email, if any."""
        return await self._session.scalar(select(User).where(User.email == email))

    async def list(self, page: PageParams) -> tuple[Sequence[User], str | None]:
        """One page of users, oldest first, and the next cursor."""
        return await fetch_page(self._session, select(User), page, key=(User.created_at, User.id))

    async def add(self, user: User) -> User:
        """Insert `user` and flush, so a duplicate email surfaces here."""
        self._session.add(user)
        await self._session.flush()
        return user

    async def spend_login_attempt(
        self, user_id: uuid.UUID, *, limit: int, now: datetime
    ) -> int | None:
        """Count one password attempt; its number, or `None` if the account takes no more.

        No more while the account is locked or its `limit` attempts are taken.
        One conditional `UPDATE ... RETURNING`: the database increments and
        checks, so concurrent attempts each get a number of their own and never
        more than `limit` of them are let through. Counted in Python from a
        value read earlier, ten concurrent guesses all read 0 and wrote 1.
        """
        not_locked = or_(User.locked_until.is_(None), User.locked_until <= now)
        return await self._session.scalar(
            update(User)
            .where(User.id == user_id, not_locked, User.failed_logins < limit)
            .values(failed_logins=User.failed_logins + 1)
            .returning(User.failed_logins)
        )

    async def lock(self, user_id: uuid.UUID, *, until: datetime) -> None:
        """Refuse password attempts until `until`; the count starts again afterwards."""
        await self._session.execute(
            update(User).where(User.id == user_id).values(failed_logins=0, locked_until=until)
        )

    async def clear_login_attempts(self, user_id: uuid.UUID) -> None:
        """Forget the attempts counted so far: the right password was given."""
        await self._session.execute(
            update(User).where(User.id == user_id).values(failed_logins=0, locked_until=None)
        )

    async def flush(self) -> None:
        """Write pending changes."""
        await self._session.flush()
