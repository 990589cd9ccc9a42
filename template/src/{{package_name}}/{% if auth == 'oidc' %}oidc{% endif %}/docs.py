"""Swagger UI's Authorize dialog signs in at the provider: authorization code with PKCE.

The provider must know the client (`OIDC_SWAGGER_CLIENT_ID`, a public client
without a secret) with `<service>/docs/oauth2-redirect` among its redirect
URIs, and allow the service's origin to call its token endpoint (CORS).
"""

from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI

from ..core.http.docs import allow_swagger_ui_to_connect
from ..core.settings.oidc import OidcSettings

SCHEME_NAME = "OpenIdConnect"


def document_oidc(app: FastAPI, settings: OidcSettings) -> None:
    """Declare the provider as the API's security scheme and point Swagger UI at it.

    Call it after `install_openapi`: it wraps the document that one builds.
    """
    # Swagger UI reads the provider's endpoints and scopes from its metadata.
    scheme = {"type": "openIdConnect", "openIdConnectUrl": settings.discovery_url}
    build = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        schema = build()
        if first:
            _replace_security(schema, {SCHEME_NAME: scheme})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    # PKCE: a browser cannot keep a client secret, and a stolen code is useless without it.
    init_oauth: dict[str, Any] = {"usePkceWithAuthorizationCodeGrant": True}
    if settings.swagger_client_id is not None:
        init_oauth["clientId"] = settings.swagger_client_id
    app.swagger_ui_init_oauth = init_oauth
    issuer = urlsplit(settings.issuer)
    # The metadata and the token endpoint are fetched by the page's scripts;
    # providers serve both from the issuer's origin.
    allow_swagger_ui_to_connect(app, f"{issuer.scheme}://{issuer.netloc}")


def _replace_security(schema: dict[str, Any], schemes: dict[str, dict[str, Any]]) -> None:
    """The provider's scheme instead of the bearer one the guards declare, on every operation."""
    requirement: list[dict[str, list[str]]] = [{name: []} for name in schemes]
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if "security" in operation:
                operation["security"] = requirement
    schema.setdefault("components", {})["securitySchemes"] = schemes
