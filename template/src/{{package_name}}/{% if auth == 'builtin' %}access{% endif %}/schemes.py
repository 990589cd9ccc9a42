"""What a request presents to prove who is calling: an access token or an API key."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

# `auto_error=False`: the authenticator decides, so a missing credential gets
# the same problem+json 401 as a bad one. These also declare the security
# schemes in OpenAPI, which is what gives Swagger UI its Authorize button.
bearer_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


@dataclass(frozen=True)
class Credentials:
    """What the request presented; either may be missing."""

    bearer_token: str | None
    api_key: str | None


async def get_credentials(
    token: Annotated[str | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Credentials:
    """The request's credentials, unchecked."""
    return Credentials(bearer_token=token, api_key=api_key)


CredentialsDep = Annotated[Credentials, Depends(get_credentials)]
