"""What a request presents to prove who is calling: nothing, the gateway in front checked it."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends


@dataclass(frozen=True)
class Credentials:
    """Empty: the gateway authenticated the request before it reached the service."""


async def get_credentials() -> Credentials:
    """No credentials to read; the authenticator trusts the gateway."""
    return Credentials()


CredentialsDep = Annotated[Credentials, Depends(get_credentials)]
