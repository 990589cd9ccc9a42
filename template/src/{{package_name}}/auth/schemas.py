"""Request and response bodies of the auth domain."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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

    refresh_token: str = Field(min_length=1, max_length=REFRESH_TOKEN_MAX_LENGTH)
