"""Dependency wiring of the auth domain's use cases."""

from typing import Annotated

from fastapi import Depends, Request

from ..audit.dependencies import AuditLogDep
from ..core.database.engine import SessionDep
from ..core.settings.config import Settings
from ..users.repository import UserRepository
from .dependencies import AccessTokensDep, PasswordsDep, RateLimiterDep
from .login import Login
from .repository import RefreshTokenRepository
from .sessions import Sessions


async def get_settings_from_app(request: Request) -> Settings:
    """The settings the application was created with (not the process-wide ones)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettingsDep = Annotated[Settings, Depends(get_settings_from_app)]


async def get_sessions(
    session: SessionDep, tokens: AccessTokensDep, audit: AuditLogDep, settings: AppSettingsDep
) -> Sessions:
    """Refresh-token sessions bound to the request's database session."""
    return Sessions(
        RefreshTokenRepository(session),
        UserRepository(session),
        tokens,
        audit,
        settings.auth.refresh_lifetime,
    )


SessionsDep = Annotated[Sessions, Depends(get_sessions)]


async def get_login(
    *,
    session: SessionDep,
    passwords: PasswordsDep,
    limiter: RateLimiterDep,
    sessions: SessionsDep,
    audit: AuditLogDep,
    settings: AppSettingsDep,
) -> Login:
    """The login use case."""
    return Login(
        users=UserRepository(session),
        passwords=passwords,
        limiter=limiter,
        sessions=sessions,
        audit=audit,
        settings=settings.auth,
    )


LoginDep = Annotated[Login, Depends(get_login)]
