"""Signed, short-lived access tokens (JWT) and opaque refresh tokens."""

import secrets
import uuid
from datetime import timedelta

import jwt
import structlog
from structlog.typing import FilteringBoundLogger

from ..access.errors import AuthenticationError
from ..core.database.models import utcnow
from ..core.settings.accounts import JwtSettings

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)

_REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "nbf", "sub", "jti"]


class AccessTokens:
    """Issues and verifies access tokens with one algorithm and one key pair."""

    def __init__(self, settings: JwtSettings, lifetime: timedelta) -> None:
        self._settings = settings
        self._lifetime = lifetime
        self._signing_key, self._verifying_key = _keys(settings)

    @property
    def lifetime(self) -> timedelta:
        """How long an access token stays valid."""
        return self._lifetime

    def issue(self, user_id: uuid.UUID) -> str:
        """A signed token naming `user_id` as its subject."""
        now = utcnow()
        claims = {
            "iss": self._settings.issuer,
            "aud": self._settings.audience,
            "sub": str(user_id),
            "iat": now,
            "nbf": now,
            "exp": now + self._lifetime,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._signing_key, algorithm=self._settings.algorithm)

    def verify(self, token: str) -> uuid.UUID:
        """The subject of a valid token; `AuthenticationError` for anything else."""
        try:
            claims = jwt.decode(
                token,
                self._verifying_key,
                # The allow-list is the defence against `alg: none` and against an
                # HS256 token signed with the public key of an RS256 deployment.
                algorithms=[self._settings.algorithm],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": _REQUIRED_CLAIMS},
            )
            return uuid.UUID(claims["sub"])
        except (jwt.PyJWTError, ValueError) as exc:
            raise AuthenticationError("The access token is invalid or expired.") from exc


def _keys(settings: JwtSettings) -> tuple[str, str]:
    if not settings.is_symmetric:
        if settings.private_key is None or settings.public_key is None:
            msg = f"JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are required for {settings.algorithm}"
            raise ValueError(msg)
        return settings.private_key.get_secret_value(), settings.public_key
    if settings.secret_key is not None:
        secret = settings.secret_key.get_secret_value()
        return secret, secret
    # Production refuses to start without a key (see core/settings/production.py). Here a
    # random key keeps development working; tokens die with the process.
    _logger.warning("jwt_secret_key_unset_using_ephemeral_key")
    secret = secrets.token_urlsafe(48)
    return secret, secret
