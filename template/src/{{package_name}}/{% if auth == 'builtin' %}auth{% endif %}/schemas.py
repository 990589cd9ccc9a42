"""Request and response bodies of the auth domain."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.types import Text
from ..users.emails import EMAIL_MAX_LENGTH
from ..users.schemas import PASSWORD_MAX_LENGTH

# `secrets.token_urlsafe(32)` is 43 characters; anything far longer is not ours.
REFRESH_TOKEN_MAX_LENGTH = 128


class TokenPair(BaseModel):
    """What a login or a refresh returns (RFC 6749 §5.1 field names)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str


class RefreshRequest(BaseModel):
    """A refresh token to exchange (refresh) or revoke (logout)."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: Text = Field(min_length=1, max_length=REFRESH_TOKEN_MAX_LENGTH)


class LoginForm(BaseModel):
    """The OAuth2 password grant's form (RFC 6749 §4.3.2); `username` is the email.

    FastAPI's `OAuth2PasswordRequestForm` takes any string, and the email reaches
    the database: a NUL in it made PostgreSQL fail the query (a 500, before login).
    """

    grant_type: Literal["password"] | None = None
    username: Text = Field(max_length=EMAIL_MAX_LENGTH)
    password: Text = Field(max_length=PASSWORD_MAX_LENGTH)
    # Part of the grant; this service has no OAuth scopes or clients, so unused.
    scope: str = ""
    client_id: str | None = None
    client_secret: str | None = None
