"""Guards for routes: the caller resolved to a `Principal`, and role and scope checks."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Protocol

from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database.engine import Database, DatabaseDep, SessionDep
from ..core.http.request_context import user_id_var
from .errors import PermissionDeniedError
from .principal import Principal, Role
from .schemes import Credentials, CredentialsDep
from .scopes import Scope


class Authenticator(Protocol):
    """Turns credentials into a `Principal`; installed on `app.state.authenticator`."""

    async def authenticate(
        self,
        credentials: Credentials,
        *,
        session: AsyncSession,
        database: Database,
        background: BackgroundTasks,
    ) -> Principal:
        """The caller, or `AuthenticationError` (401)."""
        ...


async def get_principal(
    *,
    request: Request,
    session: SessionDep,
    database: DatabaseDep,
    background: BackgroundTasks,
    credentials: CredentialsDep,
) -> Principal:
    """Authenticate the request with the application's authenticator; 401 otherwise.

    A request without credentials is the authenticator's to judge too.
    """
    authenticator: Authenticator = request.app.state.authenticator
    principal = await authenticator.authenticate(
        credentials,
        session=session,
        database=database,
        background=background,
    )
    # For the access log. Set here, in an async dependency, because that runs in
    # the request's own context (sync dependencies run in a copy of it).
    user_id_var.set(str(principal.id))
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_current_user(principal: PrincipalDep) -> Principal:
    """A user in a full session: account management is not for API keys."""
    if principal.scopes is not None:
        raise PermissionDeniedError("This operation needs a user session, not an API key.")
    return principal


CurrentUserDep = Annotated[Principal, Depends(get_current_user)]


def require_role(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only users with `role` through (403 otherwise)."""

    async def check(user: CurrentUserDep) -> Principal:
        if user.role is not role:
            raise PermissionDeniedError(f"This operation needs the {role.value} role.")
        return user

    return check


AdminDep = Annotated[Principal, Depends(require_role(Role.ADMIN))]


def require_scope(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency for routes API keys may call when they hold `scope`."""

    async def check(principal: PrincipalDep) -> Principal:
        if not principal.allows(scope):
            raise PermissionDeniedError(f"The API key lacks the {scope.value} scope.")
        return principal

    return check
