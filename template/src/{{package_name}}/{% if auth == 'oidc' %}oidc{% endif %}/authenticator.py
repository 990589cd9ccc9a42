"""The identity provider's access tokens, verified and turned into the `Principal` of the guards."""

import uuid
from typing import Any

import jwt
from fastapi import BackgroundTasks
from jwt.types import Options
from sqlalchemy.ext.asyncio import AsyncSession

from ..access.errors import AuthenticationError
from ..access.principal import Principal, Role
from ..access.schemes import Credentials
from ..access.scopes import Scope
from ..core.database.engine import Database
from ..core.settings.oidc import OidcSettings
from .keys import ProviderKeys, UnknownKeyError, verification_key

# One answer for every bad token, whatever is wrong with it: a client learns
# nothing that would help it forge a better one.
REJECTION_DETAIL = "The access token is invalid or expired."
# RFC 9068 §2.1 types JWT access tokens `at+jwt`; most providers still send
# `JWT` or nothing, so those pass too. Any other type is another kind of token
# the provider signs with the same keys (a logout token, a DPoP proof, a
# security event), and must not be replayed here as an access token.
_ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt", "jwt"})
_KNOWN_SCOPES = frozenset(scope.value for scope in Scope)
_REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
# The claims checked before any key is looked up: an expired or foreign token
# is refused without fetching keys, even while the provider is down.
_CLAIMS_ONLY: Options = {
    "verify_signature": False,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iat": True,
    "verify_aud": True,
    "verify_iss": True,
    "require": _REQUIRED_CLAIMS,
}


class _InvalidTokenError(Exception):
    """Something about the token that PyJWT does not check itself."""


class OidcAuthenticator:
    """Accepts the provider's bearer access tokens for this service's audience; nothing else.

    No passwords, API keys or sessions: the provider does the signing in.
    """

    def __init__(self, settings: OidcSettings, keys: ProviderKeys) -> None:
        self._settings = settings
        self._keys = keys

    async def authenticate(
        self,
        credentials: Credentials,
        *,
        session: AsyncSession,  # noqa: ARG002 - the token says it all: no account to load
        database: Database,  # noqa: ARG002
        background: BackgroundTasks,  # noqa: ARG002
    ) -> Principal:
        """The caller; `AuthenticationError` (401) for a missing or bad token.

        `KeysUnavailableError` (503) when the token's key cannot be fetched.
        """
        if credentials.bearer_token is None:
            raise AuthenticationError("Authentication is required.")
        try:
            claims = await self._verify(credentials.bearer_token)
        except (jwt.PyJWTError, _InvalidTokenError, UnknownKeyError):
            raise AuthenticationError(REJECTION_DETAIL) from None
        return Principal(
            # A UUID per issuer and subject, so `owner_id` columns stay UUIDs
            # and the same `sub` from another issuer is someone else.
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"{self._settings.issuer}#{claims['sub']}"),
            role=Role.ADMIN if self._settings.admin_role in self._roles(claims) else Role.USER,
            # Always a set, never None (a full session): a token holds only
            # what it was granted, and the domains' scope guards apply to it.
            scopes=frozenset(Scope(s) for s in self._scopes(claims) if s in _KNOWN_SCOPES),
        )

    async def _verify(self, token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        algorithm, kid, token_type = header.get("alg"), header.get("kid"), header.get("typ")
        # Before any key is looked up: forged headers cost no fetch.
        if algorithm not in self._settings.algorithms:
            raise _InvalidTokenError("algorithm not allowed")
        if not isinstance(kid, str) or not kid:
            raise _InvalidTokenError("no key id")
        if token_type is not None and str(token_type).lower() not in _ACCESS_TOKEN_TYPES:
            raise _InvalidTokenError("not an access token")
        if "crit" in header:
            # RFC 7515 §4.1.11: extensions the recipient does not understand
            # must be refused, and this service understands none.
            raise _InvalidTokenError("critical header extensions")
        self._decode(token, key=None, algorithm=algorithm)
        key = verification_key(await self._keys.signing_key(kid), algorithm)
        if key is None:
            raise _InvalidTokenError("the key is not one for this algorithm")
        claims = self._decode(token, key=key, algorithm=algorithm)
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise _InvalidTokenError("no subject")
        return claims

    def _decode(self, token: str, *, key: jwt.PyJWK | None, algorithm: str) -> dict[str, Any]:
        """The verified claims; without a key, every check but the signature's."""
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key if key is not None else "",
            algorithms=[algorithm],
            audience=self._settings.audience,
            issuer=self._settings.issuer,
            leeway=self._settings.leeway,
            options=_CLAIMS_ONLY if key is None else {"require": _REQUIRED_CLAIMS},
        )
        return claims

    def _roles(self, claims: dict[str, Any]) -> list[str]:
        return _strings(_claim(claims, self._settings.roles_claim))

    def _scopes(self, claims: dict[str, Any]) -> list[str]:
        return _strings(_claim(claims, self._settings.scopes_claim))


def _claim(claims: dict[str, Any], name: str) -> object:
    """The claim `name`, or the value at its dotted path (`realm_access.roles`)."""
    if name in claims:
        return claims[name]
    value: object = claims
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _strings(value: object) -> list[str]:
    """A space-separated string or a list, as a list of its strings; anything else is empty."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []
