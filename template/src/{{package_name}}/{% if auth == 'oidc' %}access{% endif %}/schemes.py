"""What a request presents to prove who is calling: the identity provider's access token."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

# `auto_error=False`: the authenticator decides, so a missing token gets the
# same problem+json 401 as a bad one.
bearer_scheme = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Credentials:
    """The bearer token, if the request sent one."""

    bearer_token: str | None


async def get_credentials(
    authorization: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Credentials:
    """The request's credentials, unchecked."""
    return Credentials(bearer_token=None if authorization is None else authorization.credentials)


CredentialsDep = Annotated[Credentials, Depends(get_credentials)]
