"""The built-in authenticator: this service's own access tokens, or an API key."""

from fastapi import BackgroundTasks
from sqlalchemy.ext.asyncio import AsyncSession

from ..access.errors import AuthenticationError
from ..access.principal import Principal
from ..access.schemes import Credentials
from ..access.scopes import Scope
from ..api_keys.repository import ApiKeyRepository
from ..api_keys.service import authenticate_api_key, record_api_key_use, use_needs_recording
from ..core.database.engine import Database
from ..users.repository import UserRepository
from .tokens import AccessTokens


class TokenOrKeyAuthenticator:
    """Resolves a bearer access token or an `X-API-Key` to the active user behind it."""

    def __init__(self, tokens: AccessTokens) -> None:
        self._tokens = tokens

    async def authenticate(
        self,
        credentials: Credentials,
        *,
        session: AsyncSession,
        database: Database,
        background: BackgroundTasks,
    ) -> Principal:
        """The caller; `AuthenticationError` for a bad credential or an inactive account."""
        scopes: frozenset[Scope] | None = None
        if credentials.bearer_token is not None:
            user_id = self._tokens.verify(credentials.bearer_token)
        elif credentials.api_key is not None:
            key = await authenticate_api_key(ApiKeyRepository(session), credentials.api_key)
            if key is None:
                raise AuthenticationError("The API key is invalid, expired or revoked.")
            if use_needs_recording(key):
                # After the response, in its own transaction (see record_api_key_use).
                background.add_task(record_api_key_use, database, key.id)
            user_id = key.user_id
            scopes = frozenset(Scope(scope) for scope in key.scopes)
        else:
            raise AuthenticationError("Authentication is required.")
        # Loaded on every request, so deactivating an account takes effect at
        # once. The row stays in the session: a route that needs the account
        # itself gets it from there without another query.
        user = await UserRepository(session).get(user_id)
        if user is None or not user.is_active:
            raise AuthenticationError("The account is unknown or deactivated.")
        return Principal(id=user.id, role=user.role, scopes=scopes)
