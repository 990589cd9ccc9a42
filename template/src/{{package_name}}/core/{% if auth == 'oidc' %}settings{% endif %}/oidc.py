"""Settings of the identity provider whose access tokens the service accepts (OIDC).

The service is a resource server: it never sees a password, only the bearer
tokens the provider signs, and checks them against the keys the provider
publishes. These settings say which provider, which audience, and how the
roles and scopes of the domains are read from a token's claims.
"""

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode

from .group import settings_group

# Asymmetric signatures only: the service verifies with the provider's public
# keys, so it cannot mint tokens itself. An HMAC algorithm would need the
# provider's secret here, and with a public key taken for an HMAC secret it is
# the classic algorithm-confusion forgery; `none` is no signature at all.
SUPPORTED_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
# What the large providers sign with (RS256: Keycloak, Entra ID, Auth0, Okta,
# Google; ES256: the elliptic alternative most of them offer). Widen it only
# to what the provider is configured to use.
DEFAULT_ALGORITHMS = ("RS256", "ES256")
# Plain HTTP reaches these only without crossing a network: tests and a
# provider run on the developer's own machine.
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def url_problem(url: str) -> str | None:
    """Why `url` cannot address the provider, or None: https, or http on this machine only."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return None
    return (
        "must be an https URL (http only for 127.0.0.1 or localhost): keys and"
        " metadata fetched in the clear could be replaced on the way"
    )


class OidcSettings(BaseSettings):
    """The provider, what its tokens must say, and how they map to roles and scopes."""

    model_config = settings_group("OIDC_")

    # Exactly as the provider writes it in `iss`, trailing slash included if any;
    # discovery reads `<issuer>/.well-known/openid-configuration`.
    issuer: str
    # This service's identifier at the provider: tokens for other APIs are refused.
    audience: str = Field(min_length=1)
    # Comma-separated allow-list of signature algorithms.
    algorithms: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_ALGORITHMS), min_length=1
    )
    # The claim with the caller's roles; a dotted path reaches into objects
    # (Keycloak: `realm_access.roles`). A claim whose own name has dots (an
    # Auth0 namespaced claim, `https://example.com/roles`) is found first.
    roles_claim: str = Field(default="roles", min_length=1)
    # The role, among those in `roles_claim`, that makes the caller an admin.
    admin_role: str = Field(default="admin", min_length=1)
    # The claim with the granted scopes: a space-separated string (`scope`, RFC
    # 9068) or a list (Okta's `scp`). Scopes the service does not know are ignored.
    scopes_claim: str = Field(default="scope", min_length=1)
    # The public client Swagger UI's Authorize dialog signs in with (authorization
    # code with PKCE); unset, the dialog asks for one.
    swagger_client_id: str | None = None
    # Seconds for one fetch of the provider's metadata and keys, all requests
    # included; a request that needs keys waits no longer than this for them.
    http_timeout: float = Field(default=5.0, gt=0, le=30)
    # Seconds between two fetches of the keys at least, successful or not: a
    # flood of tokens with made-up key ids costs the provider one request per
    # interval, and after a failure requests answer 503 at once until then.
    jwks_min_refresh_interval: float = Field(default=10.0, ge=0.1, le=3600)
    # Seconds the keys are trusted without asking again. A key the provider
    # withdraws (compromised) stops working at most this long after; while the
    # provider is down, the last keys it published keep working.
    jwks_max_age: float = Field(default=3600.0, gt=0, le=86_400)
    # Clock skew tolerated between the provider and this service for `exp` and `nbf`.
    leeway: int = Field(default=10, ge=0, le=300)

    @field_validator("issuer")
    @classmethod
    def _check_issuer(cls, value: str) -> str:
        if problem := url_problem(value):
            raise ValueError(problem)
        parts = urlsplit(value)
        if parts.query or parts.fragment:
            # OpenID Connect Discovery §2: an issuer has neither.
            raise ValueError("must have no query or fragment")
        return value

    @field_validator("algorithms", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("algorithms")
    @classmethod
    def _check_algorithms(cls, value: list[str]) -> list[str]:
        for algorithm in value:
            if algorithm.lower() == "none":
                raise ValueError("must not contain `none`: it accepts unsigned tokens")
            if algorithm.upper().startswith("HS"):
                raise ValueError(
                    f"must not contain {algorithm}: an HMAC algorithm lets anyone holding"
                    " the key (or the provider's public key, mistaken for it) forge tokens"
                )
            if algorithm not in SUPPORTED_ALGORITHMS:
                raise ValueError(f"{algorithm!r} is not one of {', '.join(SUPPORTED_ALGORITHMS)}")
        return list(dict.fromkeys(value))

    @property
    def discovery_url(self) -> str:
        """Where the provider's metadata is (OpenID Connect Discovery §4)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def oidc_production_problems(settings: OidcSettings) -> list[str]:
    """What is wrong with `settings` for production, one sentence each; empty when all is well."""
    if urlsplit(settings.issuer).scheme != "https":
        return [
            "OIDC_ISSUER must be an https URL in production: keys fetched over plain"
            " HTTP could be replaced on the way, and forged tokens accepted."
        ]
    return []
