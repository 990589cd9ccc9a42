"""Dependency wiring of the users domain."""

from typing import Annotated

from fastapi import Depends, Request

from ..audit.dependencies import AuditLogDep
from ..core.database.engine import SessionDep
from ..core.http.rate_limiter import RateLimiterDep
from ..core.settings.dependency import AppSettingsDep
from .passwords import Passwords
from .refresh_tokens.repository import RefreshTokenRepository
from .repository import UserRepository
from .service import UserService


async def get_passwords(request: Request) -> Passwords:
    """The application's password hasher."""
    passwords: Passwords = request.app.state.passwords
    return passwords


PasswordsDep = Annotated[Passwords, Depends(get_passwords)]


async def get_user_service(
    *,
    session: SessionDep,
    passwords: PasswordsDep,
    audit: AuditLogDep,
    limiter: RateLimiterDep,
    settings: AppSettingsDep,
) -> UserService:
    """A `UserService` bound to the request's session."""
    return UserService(
        UserRepository(session),
        RefreshTokenRepository(session),
        passwords,
        audit,
        limiter=limiter,
        attempts_per_account=settings.auth.login_attempts_per_account,
    )


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
