"""Dependency wiring of the auth domain's use cases."""

from typing import Annotated

from fastapi import Depends, Request

from ..audit.dependencies import AuditLogDep
from ..core.database.engine import SessionDep
from ..core.http.rate_limiter import RateLimiterDep
from ..core.settings.dependency import AppSettingsDep
from ..users.dependencies import PasswordsDep
from ..users.refresh_tokens.repository import RefreshTokenRepository
from ..users.repository import UserRepository
from .login import Login
from .sessions import Sessions
from .tokens import AccessTokens


async def get_access_tokens(request: Request) -> AccessTokens:
    """The application's access-token signer."""
    tokens: AccessTokens = request.app.state.access_tokens
    return tokens


AccessTokensDep = Annotated[AccessTokens, Depends(get_access_tokens)]


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
