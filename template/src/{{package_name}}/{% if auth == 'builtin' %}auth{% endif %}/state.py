"""The security services one application instance holds for its lifetime."""

from datetime import timedelta

from fastapi import FastAPI

from ..core.settings.config import Settings
from ..users.passwords import Passwords
from .authenticator import TokenOrKeyAuthenticator
from .tokens import AccessTokens


def install_security_state(app: FastAPI, settings: Settings) -> None:
    """Create the hasher, the token signer and the authenticator on `app.state`.

    None of them does I/O when created, so this runs in `create_app`.
    """
    access_tokens = AccessTokens(
        settings.jwt, timedelta(minutes=settings.auth.access_token_minutes)
    )
    app.state.passwords = Passwords(settings.auth)
    app.state.access_tokens = access_tokens
    # What the guards of every domain (access/guards.py) authenticate with.
    app.state.authenticator = TokenOrKeyAuthenticator(access_tokens)
