"""The OpenAPI document names the provider as the way in; Swagger UI signs in there with PKCE."""

import json
import re
from typing import Any

import pytest
from httpx import AsyncClient

from tests.oidc.issuer import DISCOVERY_PATH, Issuer
from tests.oidc.support import OpenClient

pytestmark = pytest.mark.anyio


def _connect_src(policy: str) -> list[str]:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return directives["connect-src"].split()


def _init_oauth(page: str) -> dict[str, Any]:
    match = re.search(r"ui\.initOAuth\((\{.*?\})\)", page, re.DOTALL)
    assert match is not None, "Swagger UI is not told how to sign in"
    init: dict[str, Any] = json.loads(match.group(1))
    return init


async def test_the_provider_is_the_only_security_scheme(
    client: AsyncClient, issuer: Issuer
) -> None:
    document = (await client.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"] == {
        "OpenIdConnect": {
            "type": "openIdConnect",
            "openIdConnectUrl": issuer.url + DISCOVERY_PATH,
        }
    }
    operations = [op for path in document["paths"].values() for op in path.values()]
    secured = [op["security"] for op in operations if "security" in op]
    assert secured
    assert all(security == [{"OpenIdConnect": []}] for security in secured)
    assert document["paths"]["/items"]["post"]["security"] == [{"OpenIdConnect": []}]
    # Public routes stay public.
    assert "security" not in document["paths"]["/health/live"]["get"]


async def test_swagger_ui_signs_in_at_the_provider_with_pkce(
    client: AsyncClient, issuer: Issuer
) -> None:
    page = await client.get("/docs")
    assert _init_oauth(page.text) == {
        "clientId": "swagger-ui",
        "usePkceWithAuthorizationCodeGrant": True,
    }
    # Its scripts may fetch the metadata and exchange the code at the provider, and nowhere else.
    assert _connect_src(page.headers["content-security-policy"]) == ["'self'", issuer.url]
    redoc = await client.get("/redoc")
    assert _connect_src(redoc.headers["content-security-policy"]) == ["'self'"]


async def test_without_a_client_id_the_dialog_asks_for_one(open_oidc_client: OpenClient) -> None:
    async with open_oidc_client(swagger_client_id=None) as client:
        page = await client.get("/docs")
    assert _init_oauth(page.text) == {"usePkceWithAuthorizationCodeGrant": True}


async def test_the_metadata_url_drops_the_issuers_trailing_slash(
    open_oidc_client: OpenClient, issuer: Issuer
) -> None:
    async with open_oidc_client(issuer=issuer.url + "/") as client:
        document = (await client.get("/openapi.json")).json()
    scheme = document["components"]["securitySchemes"]["OpenIdConnect"]
    assert scheme["openIdConnectUrl"] == issuer.url + DISCOVERY_PATH
