"""The provider's keys and the authenticator one application instance holds for its lifetime."""

from fastapi import FastAPI

from ..core.settings.config import Settings
from .authenticator import OidcAuthenticator
from .docs import document_oidc
from .keys import ProviderKeys


def install_oidc(app: FastAPI, settings: Settings) -> None:
    """Make the provider's tokens what the guards (access/guards.py) authenticate with.

    Nothing is fetched here, so this runs in `create_app`: the first request
    that carries a token discovers the provider. The lifespan calls `close_oidc`.
    """
    keys = ProviderKeys(settings.oidc)
    app.state.oidc_keys = keys
    app.state.authenticator = OidcAuthenticator(settings.oidc, keys)
    document_oidc(app, settings.oidc)


async def close_oidc(app: FastAPI) -> None:
    """Close the connections to the provider."""
    keys: ProviderKeys = app.state.oidc_keys
    await keys.aclose()
