"""Dependency wiring of the users domain."""

from typing import Annotated

from fastapi import Depends

from ..audit.dependencies import AuditLogDep
from ..auth.dependencies import PasswordsDep, RateLimiterDep
from ..auth.wiring import AppSettingsDep, SessionsDep
from ..core.database.engine import SessionDep
from .repository import UserRepository
from .service import UserService


async def get_user_service(
    *,
    session: SessionDep,
    passwords: PasswordsDep,
    sessions: SessionsDep,
    audit: AuditLogDep,
    limiter: RateLimiterDep,
    settings: AppSettingsDep,
) -> UserService:
    """A `UserService` bound to the request's session."""
    return UserService(
        UserRepository(session),
        passwords,
        sessions,
        audit,
        limiter=limiter,
        attempts_per_account=settings.auth.login_attempts_per_account,
    )


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
