"""Who is calling: bearer tokens and API keys resolved to a `Principal`, and role checks."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from ..api_keys.repository import ApiKeyRepository
from ..api_keys.scopes import Scope
from ..api_keys.service import (
    authenticate_api_key,
    record_api_key_use,
    use_needs_recording,
)
from ..core.database.engine import DatabaseDep, SessionDep
from ..core.http.rate_limiter import RateLimiter
from ..core.http.request_context import user_id_var
from ..users.models import Role, User
from ..users.repository import UserRepository
from .errors import AuthenticationError, PermissionDeniedError
from .passwords import Passwords
from .tokens import AccessTokens

# `auto_error=False`: the dependency below decides, so a missing token gets the
# same problem+json 401 as a bad one. These also declare the security schemes
# in OpenAPI, which is what gives Swagger UI its Authorize button.
bearer_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


@dataclass(frozen=True)
class Principal:
    """The caller: a user, and the scopes they act with (`None`: a full user session)."""

    user: User
    scopes: frozenset[Scope] | None

    def allows(self, scope: Scope) -> bool:
        """Whether this caller may use `scope`."""
        return self.scopes is None or scope in self.scopes


async def get_passwords(request: Request) -> Passwords:
    """The application's password hasher."""
    passwords: Passwords = request.app.state.passwords
    return passwords


async def get_access_tokens(request: Request) -> AccessTokens:
    """The application's access-token signer."""
    tokens: AccessTokens = request.app.state.access_tokens
    return tokens


async def get_rate_limiter(request: Request) -> RateLimiter:
    """The application's rate limiter."""
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
AccessTokensDep = Annotated[AccessTokens, Depends(get_access_tokens)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


async def get_principal(
    *,
    session: SessionDep,
    database: DatabaseDep,
    background: BackgroundTasks,
    tokens: AccessTokensDep,
    token: Annotated[str | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    """Authenticate with a bearer token or an API key; 401 for anything else."""
    if token is not None:
        user = await UserRepository(session).get(tokens.verify(token))
        scopes = None
    elif api_key is not None:
        key = await authenticate_api_key(ApiKeyRepository(session), api_key)
        if key is None:
            raise AuthenticationError("The API key is invalid, expired or revoked.")
        if use_needs_recording(key):
            # After the response, in its own transaction (see record_api_key_use).
            background.add_task(record_api_key_use, database, key.id)
        user = await UserRepository(session).get(key.user_id)
        scopes = frozenset(Scope(scope) for scope in key.scopes)
    else:
        raise AuthenticationError("Authentication is required.")
    # Checked on every request, so deactivating an account takes effect at once.
    if user is None or not user.is_active:
        raise AuthenticationError("The account is unknown or deactivated.")
    # For the access log. Set here, in an async dependency, because that runs in
    # the request's own context (sync dependencies run in a copy of it).
    user_id_var.set(str(user.id))
    return Principal(user=user, scopes=scopes)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_current_user(principal: PrincipalDep) -> User:
    """A user in a full session: account management is not for API keys."""
    if principal.scopes is not None:
        raise PermissionDeniedError("This operation needs a user session, not an API key.")
    return principal.user


CurrentUserDep = Annotated[User, Depends(get_current_user)]


def require_role(role: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets only users with `role` through (403 otherwise)."""

    async def check(user: CurrentUserDep) -> User:
        if user.role is not role:
            raise PermissionDeniedError(f"This operation needs the {role.value} role.")
        return user

    return check


AdminDep = Annotated[User, Depends(require_role(Role.ADMIN))]


def require_scope(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency for routes API keys may call when they hold `scope`."""

    async def check(principal: PrincipalDep) -> Principal:
        if not principal.allows(scope):
            raise PermissionDeniedError(f"The API key lacks the {scope.value} scope.")
        return principal

    return check
