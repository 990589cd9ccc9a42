"""Business rules of the users domain."""

import uuid
from collections.abc import Sequence
from http import HTTPStatus

from sqlalchemy.exc import IntegrityError

from ..access.principal import Principal, Role
from ..audit.models import AuditEvent
from ..audit.service import AuditLog
from ..core.database.pagination import PageParams
from ..core.errors.problems import AppError, ConflictError, NotFoundError
from ..core.http.rate_limiter import RateLimiter
from .models import User
from .passwords import Passwords
from .refresh_tokens.repository import RefreshTokenRepository
from .repository import UserRepository
from .schemas import PasswordChange, UserCreate, UserUpdate
from .throttle import account_key, reset_attempts, spend_attempt


class UserNotFoundError(NotFoundError):
    """No user has the requested id."""

    def __init__(self, user_id: uuid.UUID) -> None:
        super().__init__(f"User {user_id} does not exist.")


class EmailTakenError(ConflictError):
    """Another account already uses this email."""

    def __init__(self) -> None:
        super().__init__("An account with this email already exists.")


class IncorrectPasswordError(AppError):
    """The current password given to confirm a sensitive change is wrong."""

    status = HTTPStatus.BAD_REQUEST
    title = "Bad Request"

    def __init__(self) -> None:
        super().__init__("The current password is incorrect.")


class UserService:
    """Creates accounts, changes their passwords, roles and status."""

    def __init__(
        self,
        users: UserRepository,
        refresh_tokens: RefreshTokenRepository,
        passwords: Passwords,
        audit: AuditLog,
        *,
        limiter: RateLimiter,
        attempts_per_account: int,
    ) -> None:
        self._users = users
        self._refresh_tokens = refresh_tokens
        self._passwords = passwords
        self._audit = audit
        self._limiter = limiter
        self._attempts_per_account = attempts_per_account

    async def create(self, data: UserCreate, *, role: Role, actor: Principal | None) -> User:
        """A new account; the unique constraint decides whether the email is free.

        `actor` is the admin who creates it; `None` when the account creates
        itself (registration) or the command line does (`create-admin`).
        """
        password_hash = await self._passwords.hash(data.password)
        try:
            user = await self._users.add(
                User(email=data.email, password_hash=password_hash, role=role)
            )
        except IntegrityError as exc:
            raise EmailTakenError from exc
        await self._audit.record(
            AuditEvent.USER_CREATED,
            actor_id=actor.id if actor else user.id,
            target_id=user.id,
            role=role.value,
        )
        return user

    async def get(self, user_id: uuid.UUID) -> User:
        """The user with this id, or `UserNotFoundError`."""
        user = await self._users.get(user_id)
        if user is None:
            raise UserNotFoundError(user_id)
        return user

    async def list(self, page: PageParams) -> tuple[Sequence[User], str | None]:
        """One page of users, oldest first, and the next cursor."""
        return await self._users.list(page)

    async def update(self, actor: Principal, user_id: uuid.UUID, data: UserUpdate) -> User:
        """Change role or active status; deactivation ends every session at once."""
        user = await self.get(user_id)
        if user.id == actor.id:
            # Otherwise the last admin could demote or lock out themselves.
            raise ConflictError("Administrators cannot change their own role or status.")
        if data.role is not None and data.role is not user.role:
            await self._audit.record(
                AuditEvent.ROLE_CHANGED,
                actor_id=actor.id,
                target_id=user.id,
                old=user.role.value,
                new=data.role.value,
            )
            user.role = data.role
        if data.is_active is not None and data.is_active != user.is_active:
            user.is_active = data.is_active
            if not data.is_active:
                await self._refresh_tokens.revoke_user(user.id)
            await self._audit.record(
                AuditEvent.USER_UPDATED, actor_id=actor.id, target_id=user.id, active=data.is_active
            )
        await self._users.flush()
        return user

    async def change_password(self, user: User, data: PasswordChange) -> None:
        """Set a new password after checking the current one; all sessions end.

        Each check spends one of the account's password attempts, the budget
        login spends too (see auth/throttle.py).
        """
        attempts = account_key(user.email)
        await spend_attempt(self._limiter, attempts, self._attempts_per_account)
        if not await self._passwords.verify(user.password_hash, data.current_password):
            raise IncorrectPasswordError
        await reset_attempts(self._limiter, attempts)
        user.password_hash = await self._passwords.hash(data.new_password)
        await self._users.flush()
        # A stolen refresh token must not outlive the password it was obtained with.
        await self._refresh_tokens.revoke_user(user.id)
        await self._audit.record(AuditEvent.PASSWORD_CHANGED, actor_id=user.id, target_id=user.id)
